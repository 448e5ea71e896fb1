// Runs XSLT stylesheets on Saxon-HE for metis-streams (src/steps/rules/saxon-he.ts): a long-lived
// JVM that compiles each stylesheet once and transforms records sent over a pair of named pipes.
// Usage: java -cp Saxon-HE.jar RulesSidecar.java <request fifo> <response fifo>
// Frames (big-endian): request = op(1) + body; op 1 load: len(4) path-utf8; op 2 run: id(4)
// nparams(4) {len(4) name, len(4) value}* len(4) record-utf8. Response = status(1: 0 ok, 1 error)
// + len(4) + utf8 (load: the id as text; run: the serialized result; error: the message).
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;
import javax.xml.transform.*;
import javax.xml.transform.stream.*;

public class RulesSidecar {
  public static void main(String[] args) throws Exception {
    TransformerFactory tf = new net.sf.saxon.TransformerFactoryImpl();
    List<Templates> sheets = new ArrayList<>();
    DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(args[0]), 1 << 16));
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(args[1]), 1 << 16));
    out.writeByte(0); out.writeInt(0); out.flush(); // ready
    while (true) {
      int op;
      try { op = in.readUnsignedByte(); } catch (EOFException e) { return; }
      try {
        String result;
        if (op == 1) {
          String path = str(in);
          sheets.add(tf.newTemplates(new StreamSource(new File(path))));
          result = Integer.toString(sheets.size() - 1);
        } else {
          int id = in.readInt();
          int n = in.readInt();
          Map<String, String> params = new LinkedHashMap<>();
          for (int i = 0; i < n; i++) params.put(str(in), str(in));
          String record = str(in); // the whole frame is read before anything can fail
          Transformer t = sheets.get(id).newTransformer();
          params.forEach(t::setParameter);
          StringWriter w = new StringWriter();
          t.transform(new StreamSource(new StringReader(record)), new StreamResult(w));
          result = w.toString();
        }
        send(out, 0, result);
      } catch (Exception e) {
        send(out, 1, String.valueOf(e.getMessage()));
      }
    }
  }

  static String str(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  static void send(DataOutputStream out, int status, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeByte(status); out.writeInt(b.length); out.write(b); out.flush();
  }
}

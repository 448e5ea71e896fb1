// Reference chain on the JVM, timed warm: JDK Xerces XSD validation (as Metis) + Saxon-HE XSLT.
// Usage: java -cp Saxon-HE.jar:. MetisChainBench <EDM.xsd> <EDM-INTERNAL.xsd> <stylesheet.xsl> <iterations> <files...>
// Prints one JSON line per workload: {"name","records","medianMs","p99Ms"} (per record, after warm-up).
import java.io.*;
import java.nio.file.*;
import java.util.*;
import javax.xml.XMLConstants;
import javax.xml.transform.*;
import javax.xml.transform.stream.*;
import javax.xml.validation.*;

public class MetisChainBench {
  interface Op { String apply(String in) throws Exception; }

  public static void main(String[] args) throws Exception {
    SchemaFactory sf = SchemaFactory.newDefaultInstance();
    Validator ext = sf.newSchema(new File(args[0])).newValidator();
    Validator internal = sf.newSchema(new File(args[1])).newValidator();
    TransformerFactory tf = new net.sf.saxon.TransformerFactoryImpl();
    Templates templates = tf.newTemplates(new StreamSource(new File(args[2])));
    int iterations = Integer.parseInt(args[3]);
    List<String> records = new ArrayList<>();
    for (int i = 4; i < args.length; i++) records.add(Files.readString(Path.of(args[i])));

    Op validateExt = s -> { ext.validate(new StreamSource(new StringReader(s))); return s; };
    Op transform = s -> {
      Transformer t = templates.newTransformer();
      t.setParameter("datasetId", "1");
      StringWriter w = new StringWriter();
      t.transform(new StreamSource(new StringReader(s)), new StreamResult(w));
      return w.toString();
    };
    Op validateInt = s -> { internal.validate(new StreamSource(new StringReader(s))); return s; };
    Op chain = s -> validateInt.apply(transform.apply(validateExt.apply(s)));

    List<String> transformed = new ArrayList<>();
    for (String r : records) transformed.add(transform.apply(r));

    time("validate external (Xerces XSD)", validateExt, records, iterations);
    time("transform (Saxon-HE XSLT)", transform, records, iterations);
    time("validate internal (Xerces XSD)", validateInt, transformed, iterations);
    time("chain ext->xslt->int", chain, records, iterations);
  }

  static void time(String name, Op op, List<String> records, int iterations) throws Exception {
    for (int i = 0; i < Math.max(200, iterations); i++) op.apply(records.get(i % records.size())); // JIT warm-up
    double[] ms = new double[iterations];
    for (int i = 0; i < iterations; i++) {
      String r = records.get(i % records.size());
      long t0 = System.nanoTime();
      op.apply(r);
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    System.out.printf(Locale.ROOT, "{\"name\":\"%s\",\"records\":%d,\"medianMs\":%.4f,\"p99Ms\":%.4f}%n",
        name, records.size(), ms[ms.length / 2], ms[Math.min(ms.length - 1, (int) Math.floor(ms.length * 0.99))]);
  }
}

import java.io.*;
import java.nio.file.*;
import javax.xml.XMLConstants;
import javax.xml.parsers.*;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.*;
import org.w3c.dom.Document;

/**
 * Validates records as Metis's validation service does (EDMParser + Validator in metis-validation-service):
 * a namespace-aware DOM parse with Metis's parser features, then the JDK's XSD validator on the DOM; the
 * first error's message is what Metis reports. Reads record paths from stdin (a name starting with "ext"
 * is validated against EDM.xsd, any other against EDM-INTERNAL.xsd) and prints "path TAB message"
 * ("VALID" when valid). Argument: the schema folder. Used by tools/xerces-oracle/xerces-oracle.ts.
 */
public class MetisValidate {
  public static void main(String[] args) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/validation/schema-full-checking", false);
    f.setFeature("http://apache.org/xml/features/honour-all-schemaLocations", true);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    SchemaFactory sf = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
    sf.setFeature("http://apache.org/xml/features/validation/schema-full-checking", false);
    sf.setFeature("http://apache.org/xml/features/honour-all-schemaLocations", true);
    Schema ext = sf.newSchema(new StreamSource(new File(args[0] + "/EDM.xsd")));
    Schema in = sf.newSchema(new StreamSource(new File(args[0] + "/EDM-INTERNAL.xsd")));
    BufferedReader r = new BufferedReader(new InputStreamReader(System.in));
    String line;
    while ((line = r.readLine()) != null) {
      String file = line.trim();
      if (file.isEmpty()) continue;
      Schema s = Paths.get(file).getFileName().toString().startsWith("ext") ? ext : in;
      String msg = "VALID";
      try {
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(null);
        Document d = b.parse(new File(file));
        s.newValidator().validate(new DOMSource(d));
      } catch (Exception e) {
        msg = e.getMessage();
      }
      System.out.println(file + "\t" + msg.replace("\n", "\\n"));
    }
  }
}

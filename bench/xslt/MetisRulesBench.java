// Metis's four rule stylesheets on Saxon-HE in one warm JVM, for `npm run bench xslt`: the engine
// Metis runs them on, as the reference for the SaxonJS fallback (and for a JVM sidecar, if one is built).
// Usage: java -cp Saxon-HE.jar:. MetisRulesBench <edm_sorter.xsl> <schematron.xsl> <default_transformation.xslt>
//        <schematron-internal.xsl> <iterations> <files...>
// Prints one JSON line per workload: {"name","records","medianMs","p99Ms","cpuMs"} (per record, after warm-up).
import java.io.*;
import java.lang.management.ManagementFactory;
import java.nio.file.*;
import java.util.*;
import javax.xml.transform.*;
import javax.xml.transform.stream.*;

public class MetisRulesBench {
  interface Op { String apply(String in) throws Exception; }

  public static void main(String[] args) throws Exception {
    TransformerFactory tf = new net.sf.saxon.TransformerFactoryImpl();
    Templates sorter = tf.newTemplates(new StreamSource(new File(args[0])));
    Templates sch = tf.newTemplates(new StreamSource(new File(args[1])));
    Templates transform = tf.newTemplates(new StreamSource(new File(args[2])));
    Templates schInt = tf.newTemplates(new StreamSource(new File(args[3])));
    int iterations = Integer.parseInt(args[4]);
    List<String> records = new ArrayList<>();
    for (int i = 5; i < args.length; i++) records.add(Files.readString(Path.of(args[i])));

    Op sort = s -> run(sorter, s, false);
    Op schematron = s -> run(sch, s, false);
    Op tr = s -> run(transform, s, true);
    Op schematronInt = s -> run(schInt, s, false);
    Op chain = s -> { String sorted = sort.apply(s); schematron.apply(sorted); String in = tr.apply(sorted); schematronInt.apply(in); return in; };

    List<String> sorted = new ArrayList<>();
    for (String r : records) sorted.add(sort.apply(r));
    List<String> internal = new ArrayList<>();
    for (String r : sorted) internal.add(tr.apply(r));
    time("sorter (edm_sorter.xsl)", sort, records, iterations);
    time("schematron.xsl", schematron, sorted, iterations);
    time("transform (default_transformation.xslt)", tr, sorted, iterations);
    time("schematron-internal.xsl", schematronInt, internal, iterations);
    time("chain of the four", chain, records, iterations);
  }

  static String run(Templates t, String in, boolean params) throws Exception {
    Transformer x = t.newTransformer();
    if (params) {
      x.setParameter("datasetName", "1_One");
      x.setParameter("edmCountry", "Italy");
      x.setParameter("edmLanguage", "it");
      x.setParameter("providedCHOAboutId", "/1/record");
    }
    StringWriter w = new StringWriter();
    x.transform(new StreamSource(new StringReader(in)), new StreamResult(w));
    return w.toString();
  }

  static void time(String name, Op op, List<String> records, int iterations) throws Exception {
    for (int i = 0; i < Math.max(300, iterations); i++) op.apply(records.get(i % records.size())); // JIT warm-up
    double[] ms = new double[iterations];
    var bean = ManagementFactory.getThreadMXBean();
    long cpu0 = bean.getCurrentThreadCpuTime();
    for (int i = 0; i < iterations; i++) {
      String r = records.get(i % records.size());
      long t0 = System.nanoTime();
      op.apply(r);
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    double cpuMs = (bean.getCurrentThreadCpuTime() - cpu0) / 1e6 / iterations;
    Arrays.sort(ms);
    System.out.printf(Locale.ROOT, "{\"name\":\"%s\",\"records\":%d,\"medianMs\":%.4f,\"p99Ms\":%.4f,\"cpuMs\":%.4f}%n",
        name, records.size(), ms[ms.length / 2], ms[Math.min(ms.length - 1, (int) Math.floor(ms.length * 0.99))], cpuMs);
  }
}

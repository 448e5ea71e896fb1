package metis.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The Kafka Streams side of `npm run bench engine`: the same two topologies as the engine's, on the
 * same topics and commit interval.
 *
 * <ul>
 *   <li>pass-through: every input record to the output topic, unchanged;
 *   <li>count: the same, plus a KTable count per key (in-memory store "counts", so its changelog is
 *       {@code <applicationId>-counts-changelog}, as the engine names it) with the record cache off, so
 *       every input record writes one changelog record, as the engine's count processor does.
 * </ul>
 *
 * <p>Usage: {@code KafkaStreamsBench <brokers> <pass-through|count> <exactly_once|at_least_once> <input>
 * <output> <applicationId> <records> <threads> <stateDir>}. Prints one JSON line: {@code seconds} from
 * the first processed record until the group's committed input offsets cover every record,
 * {@code startAt} (epoch ms at {@code KafkaStreams.start()}) and {@code peakRssMb} (VmHWM).
 */
public final class KafkaStreamsBench {
  private static final long COMMIT_INTERVAL_MS = 100;

  private KafkaStreamsBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 9) {
      System.err.println("usage: KafkaStreamsBench <brokers> <pass-through|count> <exactly_once|at_least_once> <input> <output> <applicationId> <records> <threads> <stateDir>");
      System.exit(2);
    }
    String brokers = args[0];
    boolean count = args[1].equals("count");
    boolean exactlyOnce = args[2].equals("exactly_once");
    String input = args[3];
    String output = args[4];
    String applicationId = args[5];
    long records = Long.parseLong(args[6]);
    int threads = Integer.parseInt(args[7]);
    String stateDir = args[8];

    AtomicLong firstProcessedNanos = new AtomicLong();
    AtomicLong processed = new AtomicLong();
    StreamsBuilder builder = new StreamsBuilder();
    KStream<byte[], byte[]> in = builder
        .stream(input, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .peek((k, v) -> {
          if (processed.getAndIncrement() == 0) firstProcessedNanos.set(System.nanoTime());
        });
    in.to(output, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    if (count) {
      in.groupByKey(Grouped.with(Serdes.ByteArray(), Serdes.ByteArray()))
          .count(Materialized.<byte[], Long>as(Stores.inMemoryKeyValueStore("counts"))
              .withKeySerde(Serdes.ByteArray())
              .withValueSerde(Serdes.Long()));
    }

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
        exactlyOnce ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    // Every update goes to the changelog (no de-duplication in the record cache), as in the engine.
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);

    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
      // Connected before the clock starts: its cost is the benchmark's, not Kafka Streams'.
      admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
      KafkaStreams streams = new KafkaStreams(builder.build(), props);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      streams.setUncaughtExceptionHandler(e -> {
        failure.set(e);
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
      });
      long startAt = System.currentTimeMillis();
      streams.start();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      // Until every record went through the topology, only this process's counter is watched; then
      // the group's committed offsets (a broker request each time) until they cover every record.
      while (processed.get() < records) {
        check(failure.get(), deadline);
        Thread.sleep(1);
      }
      long done;
      for (;;) {
        check(failure.get(), deadline);
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        long sum = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
          if (e.getKey().topic().equals(input) && e.getValue() != null) sum += e.getValue().offset();
        }
        if (sum >= records) {
          done = System.nanoTime();
          break;
        }
        Thread.sleep(2);
      }
      double seconds = (done - firstProcessedNanos.get()) / 1e9;
      streams.close(Duration.ofSeconds(30));
      streams.cleanUp();
      System.out.printf("{\"seconds\":%.6f,\"startAt\":%d,\"peakRssMb\":%.1f}%n", seconds, startAt, peakRssMb());
    }
    System.exit(0);
  }

  private static void check(Throwable failure, long deadline) {
    if (failure != null) throw new IllegalStateException("Kafka Streams failed", failure);
    if (System.nanoTime() > deadline) throw new IllegalStateException("not done after 10 minutes");
  }

  /** The process's peak resident set (VmHWM), in MB; -1 where /proc is not there. */
  private static double peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    } catch (Exception e) {
      // not Linux
    }
    return -1;
  }
}

package example;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.util.JsonFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Prints the platform's events as JSON lines, like docs/examples/consume_events.py. */
public final class ConsumeEvents {
  // Every event topic, community.<service>.events.v1 (not the .dlq twins or the snapshots).
  private static final Pattern EVENT_TOPICS = Pattern.compile("community\\.[a-z]+\\.events\\.v1");

  public static void main(String[] args) throws Exception {
    Map<String, Parser<? extends Message>> parsers = parsersByType(
        community.membership.v1.Events.class, community.feed.v1.Events.class,
        community.moderation.v1.Events.class, community.insights.v1.Events.class);
    JsonFormat.Printer json = JsonFormat.printer().preservingProtoFieldNames();
    long idleMs = Long.parseLong(env("IDLE_TIMEOUT_MS", "0")); // 0: run until stopped

    Properties config = new Properties();
    config.put("bootstrap.servers", env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"));
    config.put("group.id", env("GROUP_ID", "example-consumer")); // your team's group
    config.put("auto.offset.reset", "earliest"); // event topics keep everything
    var bytes = new ByteArrayDeserializer();
    try (var consumer = new KafkaConsumer<byte[], byte[]>(config, bytes, bytes)) {
      if (args.length > 0) consumer.subscribe(List.of(args)); else consumer.subscribe(EVENT_TOPICS);
      long idleSince = System.currentTimeMillis();
      while (idleMs == 0 || System.currentTimeMillis() - idleSince < idleMs) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty() || consumer.assignment().isEmpty()) { // joining is not idling
          idleSince = System.currentTimeMillis();
        }
        for (ConsumerRecord<byte[], byte[]> record : records) {
          // CloudEvents binary mode: ce_<attribute> headers; content-type, traceparent as named.
          JsonObject line = new JsonObject();
          for (Header header : record.headers()) {
            String name = header.key().startsWith("ce_") ? header.key().substring(3) : header.key();
            line.addProperty(name, new String(header.value(), StandardCharsets.UTF_8));
          }
          Parser<? extends Message> parser = parsers.get(line.get("type").getAsString());
          if (parser == null) continue; // a newer contract's type: skip it, or upgrade the jar
          line.add("data", JsonParser.parseString(json.print(parser.parseFrom(record.value()))));
          System.out.println(line);
        }
      }
    }
  }

  /** ce_type (a message's full name) -> its generated parser, for every message of the files. */
  static Map<String, Parser<? extends Message>> parsersByType(Class<?>... files) throws Exception {
    Map<String, Parser<? extends Message>> parsers = new HashMap<>();
    for (Class<?> file : files) {
      for (Class<?> type : file.getDeclaredClasses()) {
        if (Message.class.isAssignableFrom(type) && !type.isInterface()) {
          Message empty = (Message) type.getMethod("getDefaultInstance").invoke(null);
          parsers.put(empty.getDescriptorForType().getFullName(), empty.getParserForType());
        }
      }
    }
    return parsers;
  }

  private static String env(String name, String otherwise) {
    return System.getenv().getOrDefault(name, otherwise);
  }
}

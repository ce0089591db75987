// Jackson's reading of a SNAP body: `new ObjectMapper().readTree(body).toString()`, default settings, as
// DOKU's Java SDK minifies. Reads the body from stdin (UTF-8) and writes the result to stdout (UTF-8, no
// newline). Run by make_independent.py:
//   java --class-path <jackson-databind, jackson-core, jackson-annotations jars> JacksonMinify.java
//
// Exit codes: 0 printed; 3 Jackson threw (invalid JSON, nesting limit); 5 the result holds an unpaired UTF-16
// surrogate, which UTF-8 cannot carry (Java would write `?`); 6 the input held no JSON value at all (Jackson
// answers a MissingNode whose text is empty). 5 and 6 are refusals doku-sign makes where Jackson prints
// something; they are reported rather than hidden.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;

public class JacksonMinify {
    public static void main(String[] args) throws Exception {
        String body = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        String out;
        try {
            JsonNode tree = new ObjectMapper().readTree(body);
            if (tree == null || tree.isMissingNode()) {
                System.exit(6);
            }
            out = tree.toString();
        } catch (Exception e) {
            System.exit(3);
            return;
        }
        for (int i = 0; i < out.length(); i++) {
            char c = out.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < out.length() && Character.isLowSurrogate(out.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                System.exit(5);
            }
        }
        System.out.write(out.getBytes(StandardCharsets.UTF_8));
        System.out.flush();
    }
}

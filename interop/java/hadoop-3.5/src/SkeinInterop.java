// Drives Apache Hadoop's own client code against a cluster (Skein in the tests): one JVM per test
// binary reads commands from stdin, one per line, and answers each with its output between
// markers, so the JVM start-up is paid once.
//
//   cli <Class> <args...>      runs a Hadoop CLI class (ApplicationCLI, NodeCLI, QueueCLI,
//                              RMAdminCLI, ClusterCLI) as the `yarn` script would, capturing its
//                              stdout and exit code
//   submit <name> <queue> <memoryMb> <env K=V,...> <command...>
//                              YarnClient: getNewApplication + submitApplication of an AM that
//                              runs <command>; prints the application id
//   wait <appId> <timeoutMs>   YarnClient: polls getApplicationReport until a final state;
//                              prints "<state> <finalStatus>"
//   kill <appId>               YarnClient.killApplication (loops forceKillApplication)
//   list                       YarnClient.getApplications: "<id> <state>" lines
//   descriptors <class...>     the protobuf descriptors compiled into Hadoop's jars, one line per
//                              field: "F <message> <number> <type> <label> <type name>", and one
//                              per enum value: "E <enum> <number> <name>"
//   quit
//
// Each answer ends with a line "@@END <exit code>". The configuration (yarn-site.xml) comes from
// the classpath, whose first entry is the test's configuration directory.
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.util.Tool;
import org.apache.hadoop.util.ToolRunner;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.ApplicationSubmissionContext;
import org.apache.hadoop.yarn.api.records.ContainerLaunchContext;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.client.api.YarnClientApplication;
import org.apache.hadoop.yarn.conf.YarnConfiguration;

public class SkeinInterop {
  private static YarnClient yarn;

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
        "UTF-8");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    out.println("@@READY");
    String line;
    while ((line = in.readLine()) != null) {
      line = line.trim();
      if (line.isEmpty()) continue;
      List<String> words = new ArrayList<>(Arrays.asList(line.split("\t")));
      String cmd = words.remove(0);
      if (cmd.equals("quit")) break;
      int code;
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      PrintStream capture = new PrintStream(buf, true, "UTF-8");
      try {
        code = run(cmd, words, capture);
      } catch (Throwable t) {
        capture.println("EXCEPTION " + t.getClass().getName() + ": " + t.getMessage());
        code = 99;
      }
      capture.flush();
      out.print(buf.toString("UTF-8"));
      out.println("@@END " + (code & 0xff));  // as the process exit status bin/yarn returns
    }
    if (yarn != null) yarn.stop();
    System.exit(0);
  }

  private static YarnClient client() {
    if (yarn == null) {
      yarn = YarnClient.createYarnClient();
      yarn.init(new YarnConfiguration());
      yarn.start();
    }
    return yarn;
  }

  private static int run(String cmd, List<String> w, PrintStream out) throws Exception {
    switch (cmd) {
      case "cli":
        return cli(w.get(0), w.subList(1, w.size()).toArray(new String[0]), out);
      case "submit": {
        YarnClientApplication app = client().createApplication();
        ApplicationSubmissionContext ctx = app.getApplicationSubmissionContext();
        ctx.setApplicationName(w.get(0));
        ctx.setQueue(w.get(1));
        ctx.setResource(Resource.newInstance(Integer.parseInt(w.get(2)), 1));
        Map<String, String> env = new HashMap<>();
        if (!w.get(3).equals("-")) {
          for (String kv : w.get(3).split(",")) {
            int eq = kv.indexOf('=');
            env.put(kv.substring(0, eq), kv.substring(eq + 1));
          }
        }
        List<String> command = new ArrayList<>(w.subList(4, w.size()));
        ctx.setAMContainerSpec(ContainerLaunchContext.newInstance(
            Collections.emptyMap(), env, command, null, null, null));
        ApplicationId id = client().submitApplication(ctx);
        out.println(id);
        return 0;
      }
      case "wait": {
        ApplicationId id = ApplicationId.fromString(w.get(0));
        long deadline = System.currentTimeMillis() + Long.parseLong(w.get(1));
        while (System.currentTimeMillis() < deadline) {
          ApplicationReport r = client().getApplicationReport(id);
          YarnApplicationState s = r.getYarnApplicationState();
          if (s == YarnApplicationState.FINISHED || s == YarnApplicationState.FAILED
              || s == YarnApplicationState.KILLED) {
            out.println(s + " " + r.getFinalApplicationStatus());
            return 0;
          }
          Thread.sleep(100);
        }
        out.println("TIMEOUT");
        return 1;
      }
      case "kill":
        client().killApplication(ApplicationId.fromString(w.get(0)));
        return 0;
      case "list":
        for (ApplicationReport r : client().getApplications(
                 EnumSet.allOf(YarnApplicationState.class))) {
          out.println(r.getApplicationId() + " " + r.getYarnApplicationState() + " "
              + r.getUser() + " " + r.getQueue());
        }
        return 0;
      case "descriptors":
        for (String cls : w) {
          Object fd = Class.forName(cls).getMethod("getDescriptor").invoke(null);
          org.apache.hadoop.thirdparty.protobuf.Descriptors.FileDescriptor file =
              (org.apache.hadoop.thirdparty.protobuf.Descriptors.FileDescriptor) fd;
          for (var e : file.getEnumTypes()) dumpEnum(e, out);
          for (var m : file.getMessageTypes()) dumpMessage(m, out);
        }
        return 0;
      default:
        out.println("unknown command " + cmd);
        return 98;
    }
  }

  private static void dumpEnum(
      org.apache.hadoop.thirdparty.protobuf.Descriptors.EnumDescriptor e, PrintStream out) {
    for (var v : e.getValues()) {
      out.println("E " + e.getFullName() + " " + v.getNumber() + " " + v.getName());
    }
  }

  private static void dumpMessage(
      org.apache.hadoop.thirdparty.protobuf.Descriptors.Descriptor m, PrintStream out) {
    out.println("M " + m.getFullName());
    for (var e : m.getEnumTypes()) dumpEnum(e, out);
    for (var n : m.getNestedTypes()) dumpMessage(n, out);
    for (var f : m.getFields()) {
      String typeName = "-";
      switch (f.getType()) {
        case MESSAGE:
          typeName = f.getMessageType().getFullName();
          break;
        case ENUM:
          typeName = f.getEnumType().getFullName();
          break;
        default:
          break;
      }
      String label = f.isRepeated() ? "repeated" : "optional";
      out.println("F " + m.getFullName() + " " + f.getNumber() + " " + f.getType().name() + " "
          + label + " " + typeName);
    }
  }

  // A Hadoop CLI class as bin/yarn runs it: ApplicationCLI gets the sub-command ("application",
  // "applicationattempt", "container") as its first argument; the others take their flags only.
  private static int cli(String cls, String[] args, PrintStream out) throws Exception {
    Class<?> c = Class.forName("org.apache.hadoop.yarn.client.cli." + cls);
    Tool tool = (Tool) c.getDeclaredConstructor().newInstance();
    try {
      c.getMethod("setSysOutPrintStream", PrintStream.class).invoke(tool, out);
      c.getMethod("setSysErrPrintStream", PrintStream.class).invoke(tool, System.err);
    } catch (NoSuchMethodException e) {
      // RMAdminCLI prints to System.out
    }
    PrintStream oldOut = System.out;
    System.setOut(out);
    try {
      Configuration conf = new YarnConfiguration();
      return ToolRunner.run(conf, tool, args);
    } finally {
      System.setOut(oldOut);
      try {
        c.getMethod("stop").invoke(tool);
      } catch (NoSuchMethodException e) {
        // not a YarnCLI
      }
    }
  }
}

// Apache Hadoop YARN as a peer for Skein's benchmarks and its differential REST test: starts a
// real ResourceManager and/or NodeManagers (the server classes of the pinned release, as daemons,
// not MiniYARNCluster) from a given configuration directory, prints one "READY ..." line with the
// bound addresses, and stops when its stdin reaches EOF (so a parent that dies takes it down).
//
//   java -Xmx512m -cp '<lib>/*:<classes>:<conf dir>' YarnPeer rm <conf dir> [client conf dir]
//   java ... YarnPeer nm <conf dir>
//   java ... YarnPeer cluster <conf dir> <NodeManagers> [client conf dir]
//
// <conf dir>/yarn-site.xml (and capacity-scheduler.xml, found on the classpath) configure every
// daemon. `cluster` runs the RM and N NMs in this one JVM (ports of the NMs are ephemeral, their
// directories are <conf dir>/../nm<i>/{local,logs}); it waits until the RM has every NM RUNNING.
// When a client conf dir is given, a yarn-site.xml with the RM's bound addresses is written there.
//
// READY rm=<host:port> scheduler=<host:port> tracker=<host:port> admin=<host:port>
//       web=<host:port> nodes=<nodeId>@<host:httpPort>,...
// ("nodes" only for cluster and nm). Lines on stderr are Hadoop's log.

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.metrics2.lib.DefaultMetricsSystem;
import org.apache.hadoop.yarn.api.records.NodeState;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.nodemanager.NodeManager;
import org.apache.hadoop.yarn.server.resourcemanager.ResourceManager;
import org.apache.hadoop.yarn.server.resourcemanager.rmnode.RMNode;

public final class YarnPeer {
  private YarnPeer() {}

  private static YarnConfiguration load(String confDir) {
    YarnConfiguration conf = new YarnConfiguration();
    File site = new File(confDir, "yarn-site.xml");
    if (site.isFile()) {
      conf.addResource(new Path(site.getAbsolutePath()));
    }
    return conf;
  }

  private static String hostPort(InetSocketAddress a) {
    return "127.0.0.1:" + a.getPort();
  }

  // ResourceManager.getWebapp() is package-private; the web port is only known after start.
  private static int rmWebPort(ResourceManager rm) throws Exception {
    Method m = ResourceManager.class.getDeclaredMethod("getWebapp");
    m.setAccessible(true);
    Object webapp = m.invoke(rm);
    return (Integer) webapp.getClass().getMethod("port").invoke(webapp);
  }

  private static String rmLine(ResourceManager rm, Configuration conf) throws Exception {
    String tracker = conf.get(YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS);
    String admin = conf.get(YarnConfiguration.RM_ADMIN_ADDRESS);
    return "rm=" + hostPort(rm.getClientRMService().getBindAddress())
        + " scheduler=" + hostPort(rm.getApplicationMasterService().getBindAddress())
        + " tracker=" + tracker + " admin=" + admin + " web=127.0.0.1:" + rmWebPort(rm);
  }

  private static void writeClientConf(String dir, Configuration rmConf, ResourceManager rm,
      String siteDir) throws Exception {
    YarnConfiguration out = load(siteDir);
    out.set(YarnConfiguration.RM_ADDRESS, hostPort(rm.getClientRMService().getBindAddress()));
    out.set(YarnConfiguration.RM_SCHEDULER_ADDRESS,
        hostPort(rm.getApplicationMasterService().getBindAddress()));
    out.set(YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS,
        rmConf.get(YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS));
    out.set(YarnConfiguration.RM_ADMIN_ADDRESS, rmConf.get(YarnConfiguration.RM_ADMIN_ADDRESS));
    out.set(YarnConfiguration.RM_WEBAPP_ADDRESS, "127.0.0.1:" + rmWebPort(rm));
    File d = new File(dir);
    if (!d.isDirectory() && !d.mkdirs()) {
      throw new IOException("cannot create " + dir);
    }
    File tmp = new File(d, "yarn-site.xml.tmp");
    try (FileOutputStream os = new FileOutputStream(tmp)) {
      out.writeXml(os);
    }
    if (!tmp.renameTo(new File(d, "yarn-site.xml"))) {
      throw new IOException("cannot rename " + tmp);
    }
  }

  private static NodeManager startNm(Configuration base, String dirs) {
    YarnConfiguration conf = new YarnConfiguration(base);
    if (dirs != null) {
      conf.set(YarnConfiguration.NM_ADDRESS, "127.0.0.1:0");
      conf.set(YarnConfiguration.NM_LOCALIZER_ADDRESS, "127.0.0.1:0");
      conf.set(YarnConfiguration.NM_WEBAPP_ADDRESS, "127.0.0.1:0");
      conf.set(YarnConfiguration.NM_COLLECTOR_SERVICE_ADDRESS, "127.0.0.1:0");
      conf.set(YarnConfiguration.NM_LOCAL_DIRS, dirs + "/local");
      conf.set(YarnConfiguration.NM_LOG_DIRS, dirs + "/logs");
      new File(dirs + "/local").mkdirs();
      new File(dirs + "/logs").mkdirs();
    }
    NodeManager nm = new NodeManager();
    nm.init(conf);
    nm.start();
    return nm;
  }

  private static String nmEntry(NodeManager nm) {
    return nm.getNMContext().getNodeId() + "@127.0.0.1:" + nm.getNMContext().getHttpPort();
  }

  // Blocks until stdin reaches EOF (or fails).
  private static void awaitEof() {
    InputStream in = System.in;
    byte[] buf = new byte[256];
    try {
      while (in.read(buf) >= 0) {
        // discard
      }
    } catch (IOException e) {
      // treat as EOF
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: YarnPeer rm|nm|cluster <conf dir> [NodeManagers] [client conf]");
      System.exit(2);
    }
    String mode = args[0];
    String confDir = args[1];
    YarnConfiguration conf = load(confDir);
    ResourceManager rm = null;
    List<NodeManager> nms = new ArrayList<>();
    StringBuilder ready = new StringBuilder("READY");
    try {
      if (mode.equals("rm") || mode.equals("cluster")) {
        String clientConf = null;
        int numNms = 0;
        if (mode.equals("cluster")) {
          if (args.length < 3) {
            throw new IllegalArgumentException("cluster needs a NodeManager count");
          }
          numNms = Integer.parseInt(args[2]);
          DefaultMetricsSystem.setMiniClusterMode(true);  // several NMs register metrics here
          clientConf = args.length > 3 ? args[3] : null;
        } else {
          clientConf = args.length > 2 ? args[2] : null;
        }
        rm = new ResourceManager();
        rm.init(conf);
        rm.start();
        Configuration rmConf = rm.getConfig();
        ready.append(' ').append(rmLine(rm, rmConf));
        if (clientConf != null) {
          writeClientConf(clientConf, rmConf, rm, confDir);
        }
        if (numNms > 0) {
          Configuration nmBase = new YarnConfiguration(conf);
          nmBase.set(YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS,
              rmConf.get(YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS));
          nmBase.set(YarnConfiguration.RM_ADDRESS,
              hostPort(rm.getClientRMService().getBindAddress()));
          nmBase.set(YarnConfiguration.RM_SCHEDULER_ADDRESS,
              hostPort(rm.getApplicationMasterService().getBindAddress()));
          String parent = new File(confDir).getAbsoluteFile().getParent();
          List<String> entries = new ArrayList<>();
          for (int i = 0; i < numNms; i++) {
            NodeManager nm = startNm(nmBase, parent + "/nm" + i);
            nms.add(nm);
            entries.add(nmEntry(nm));
          }
          long deadline = System.currentTimeMillis() + 60_000;
          while (true) {
            int running = 0;
            for (Map.Entry<?, RMNode> e : rm.getRMContext().getRMNodes().entrySet()) {
              if (e.getValue().getState() == NodeState.RUNNING) {
                running++;
              }
            }
            if (running >= numNms) {
              break;
            }
            if (System.currentTimeMillis() > deadline) {
              throw new IllegalStateException(running + " of " + numNms + " NodeManagers RUNNING");
            }
            Thread.sleep(50);
          }
          ready.append(" nodes=").append(String.join(",", entries));
        }
      } else if (mode.equals("nm")) {
        NodeManager nm = startNm(conf, null);
        nms.add(nm);
        ready.append(" nodes=").append(nmEntry(nm));
      } else {
        throw new IllegalArgumentException("unknown mode " + mode);
      }
      System.out.println(ready);
      System.out.flush();
      awaitEof();
    } catch (Throwable t) {
      System.err.println("YarnPeer: " + t);
      t.printStackTrace();
      System.out.println("FAILED " + t);
      System.out.flush();
    } finally {
      // Stopping the services can take tens of seconds; never outlive the parent by more than 10.
      Thread watchdog = new Thread(() -> {
        try {
          Thread.sleep(10_000);
        } catch (InterruptedException e) {
          // halt anyway
        }
        Runtime.getRuntime().halt(0);
      });
      watchdog.setDaemon(true);
      watchdog.start();
      for (NodeManager nm : nms) {
        try {
          nm.stop();
        } catch (Throwable t) {
          // keep stopping the rest
        }
      }
      if (rm != null) {
        try {
          rm.stop();
        } catch (Throwable t) {
          // exiting anyway
        }
      }
    }
    System.exit(0);
  }
}

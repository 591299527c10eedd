// skein-exitcode-helper: what the NodeManager runs a container under when NM recovery is on
// (YARN keeps bash for this; Skein starts this helper instead, no shell).
//
//   skein-exitcode-helper <exit-code-file> <program> <argv0> [<arg>...]
//
// Runs <program> (an absolute path) with argv <argv0> <arg>... as its child, waits for it,
// writes its exit status as YARN reports it (the exit code, or 128 + N for death by signal N)
// and a newline to <exit-code-file> (through <exit-code-file>.tmp and a rename, so a reader
// never sees half a file), and exits with that status. A NodeManager restarted after the
// container ended reads the file (nodemanager/recovery/container_recovery.h).
//
// What the NodeManager relies on:
// * The helper is the process the NodeManager started: its pid is the container's process
//   group and session (setsid was done before it), it is in the container's cgroups already,
//   and the command inherits all of that, so group signals, cgroups and the process-tree
//   monitor reach the command as they would a direct launch.
// * Signals sent to the group (a kill's SIGTERM, `yarn container -signal`'s SIGQUIT) reach the
//   command directly; the helper catches them with a no-op handler so that it outlives the
//   command and still records its status. Only SIGKILL ends it early (the NodeManager, which
//   sends it, then learns the exit itself).
// * A program the kernel cannot run as a binary (ENOEXEC: a script without #!) runs through
//   /bin/bash, as bash itself would; a program that cannot be run at all exits 127 (not found)
//   or 126 with the reason on stderr, as bash does.
// * JVM_PID in the environment, when present, is set to the command's pid (the process that
//   runs the program), as the launch script's `JVM_PID=$$` followed by exec gives.
//
// libc only (no C++ runtime) and linked statically, so starting it costs one exec.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <initializer_list>

extern char** environ;

namespace {

constexpr char kJvmPid[] = "JVM_PID=";
constexpr size_t kJvmPidLen = sizeof(kJvmPid) - 1;

void NoOp(int) {}

void Say(const char* a, const char* b = "", const char* c = "", const char* d = "") {
  for (const char* s : {"skein-exitcode-helper: ", a, b, c, d, "\n"}) {
    size_t len = strlen(s);
    while (len > 0) {
      ssize_t n = write(2, s, len);
      if (n <= 0) return;
      s += n;
      len -= static_cast<size_t>(n);
    }
  }
}

// `value` in decimal at `out` (room for 20 digits and a NUL); returns the length.
size_t FormatDecimal(long value, char* out) {
  char rev[20];
  size_t len = 0;
  do {
    rev[len++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 && len < sizeof(rev));
  for (size_t i = 0; i < len; ++i) out[i] = rev[len - 1 - i];
  out[len] = '\0';
  return len;
}

// Writes "<status>\n" to `path` through `path`.tmp and a rename.
bool WriteExitCode(const char* path, int status) {
  const size_t path_len = strlen(path);
  char* tmp = static_cast<char*>(malloc(path_len + 5));
  if (tmp == nullptr) return false;
  memcpy(tmp, path, path_len);
  memcpy(tmp + path_len, ".tmp", 5);
  char text[22];
  size_t len = FormatDecimal(status, text);
  text[len++] = '\n';
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && write(fd, text, len) == static_cast<ssize_t>(len);
  if (fd >= 0) ok = close(fd) == 0 && ok;
  ok = ok && rename(tmp, path) == 0;
  if (!ok) Say("cannot write ", path, ": ", strerror(errno));
  free(tmp);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    Say("usage: skein-exitcode-helper <exit-code-file> <program> <argv0> [<arg>...]");
    return 2;
  }
  const char* exit_code_file = argv[1];
  const char* program = argv[2];
  char** command = argv + 3;
  const int command_argc = argc - 3;

  // The command's environment: ours, with JVM_PID pointing at a slot the child fills in.
  size_t env_count = 0;
  while (environ[env_count] != nullptr) ++env_count;
  char** envp = static_cast<char**>(malloc((env_count + 1) * sizeof(char*)));
  // bash <program> <args>: the ENOEXEC fallback.
  char** script_argv = static_cast<char**>(malloc((command_argc + 2) * sizeof(char*)));
  if (envp == nullptr || script_argv == nullptr) {
    Say("out of memory");
    return 126;
  }
  static char jvm_pid[kJvmPidLen + 21];
  char* pid_slot = nullptr;
  for (size_t i = 0; i < env_count; ++i) {
    envp[i] = environ[i];
    if (strncmp(environ[i], kJvmPid, kJvmPidLen) == 0) {
      memcpy(jvm_pid, kJvmPid, kJvmPidLen);
      pid_slot = jvm_pid + kJvmPidLen;
      envp[i] = jvm_pid;
    }
  }
  envp[env_count] = nullptr;
  script_argv[0] = const_cast<char*>("/bin/bash");
  script_argv[1] = const_cast<char*>(program);
  for (int i = 1; i < command_argc; ++i) script_argv[i + 1] = command[i];
  script_argv[command_argc + 1] = nullptr;

  // Outlive the group's signals (see the header). Fault signals keep their default action;
  // handlers are reset by exec, so the command starts with default dispositions.
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = NoOp;
  sigemptyset(&sa.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    switch (sig) {
      case SIGKILL:
      case SIGSTOP:
      case SIGCHLD:
      case SIGSEGV:
      case SIGBUS:
      case SIGFPE:
      case SIGILL:
      case SIGTRAP:
      case SIGSYS:
      case SIGABRT:
        continue;
      default:
        sigaction(sig, &sa, nullptr);  // reserved real-time signals fail: nothing to do
    }
  }

  // vfork: the child only fills the pid slot, execs, or reports and _exits.
  const pid_t pid = vfork();
  if (pid == 0) {
    if (pid_slot != nullptr) FormatDecimal(getpid(), pid_slot);
    execve(program, command, envp);
    if (errno == ENOEXEC) execve("/bin/bash", script_argv, envp);
    const int err = errno;
    Say("cannot execute ", program, ": ", strerror(err));
    _exit(err == ENOENT ? 127 : 126);
  }
  int status = 126;
  if (pid < 0) {
    Say("cannot start ", program, ": ", strerror(errno));
  } else {
    int wait_status = 0;
    pid_t got;
    do {
      got = waitpid(pid, &wait_status, 0);
    } while (got < 0 && errno == EINTR);
    if (got == pid) {
      status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
    }
  }
  WriteExitCode(exit_code_file, status);
  return status;
}

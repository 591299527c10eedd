// The container command of container_launch_bench: writes one byte to the FIFO named by argv[1]
// and exits 0. The byte arriving is the moment "the container's command has started executing",
// however the NodeManager answers StartContainers. Plain libc, nothing else: its start-up cost is
// part of the floor and of the NodeManager's figure alike.
//
//   launch_probe <fifo>
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    static const char kUsage[] = "usage: launch_probe <fifo>\n";
    ssize_t n = write(2, kUsage, sizeof(kUsage) - 1);
    (void)n;
    return 2;
  }
  int fd = open(argv[1], O_WRONLY | O_CLOEXEC);
  if (fd < 0) return 1;
  const char byte = '!';
  const bool ok = write(fd, &byte, 1) == 1;
  close(fd);
  return ok ? 0 : 1;
}

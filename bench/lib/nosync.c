/* Diagnostic only (bench/run.sh, target "llmgate-nosync"): LD_PRELOADed into a second
 * gateway so that fsync/fdatasync return at once. It shows how much of llmgate's added
 * latency is the disk flush of SQLite's synchronous=FULL commits (the charge is committed
 * before an answer's last byte) rather than CPU work. Never for real use: a power loss
 * would lose committed charges. */
int fsync(int fd) {
  (void)fd;
  return 0;
}
int fdatasync(int fd) {
  (void)fd;
  return 0;
}

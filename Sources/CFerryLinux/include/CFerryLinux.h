// CFerryLinux: the few Linux calls Swift's Glibc module does not expose (epoll, eventfd, timerfd, accept4,
// fallocate, sync_file_range) and CRC32C with SSE4.2 when the CPU has it. Nothing else belongs here.
#ifndef CFERRY_LINUX_H
#define CFERRY_LINUX_H

// No _GNU_SOURCE here: it would make these headers differ from Swift's Glibc module. shims.c defines it.
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <spawn.h>

/// accept4(2) (needs _GNU_SOURCE, which Swift's Glibc import does not define).
int cferry_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

/// posix_fallocate(3): returns 0 or the error number (it does not set errno).
int cferry_posix_fallocate(int fd, off_t offset, off_t len);

/// sync_file_range(2) with WAIT_BEFORE | WRITE | WAIT_AFTER (needs _GNU_SOURCE): writes the range's dirty pages
/// and waits for them, without syncing metadata or flushing the device cache. Returns 0, or -1 with errno.
int cferry_write_back(int fd, off_t offset, off_t len);

/// pthread_setname_np(pthread_self(), name) (needs _GNU_SOURCE); name is cut to 15 bytes by the caller.
int cferry_set_thread_name(const char *name);

/// posix_spawn_file_actions_addclosefrom_np (needs _GNU_SOURCE): the spawned process closes every descriptor
/// >= `from` (so a child inherits none of the parent's sockets or files). Returns 0 or an error number.
int cferry_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);

/// syncfs(2): commits every dirty page and inode of the file system holding `fd` (needs _GNU_SOURCE).
int cferry_syncfs(int fd);

/// The current errno, read right after a failing call.
int cferry_errno(void);

/// CRC32C (Castagnoli), continuing from `crc` (start with 0). Uses SSE4.2 when available, else slicing-by-8.
/// CRC32C("123456789") == 0xE3069283.
uint32_t cferry_crc32c(uint32_t crc, const void *data, size_t length);

/// Constants that arrive in Swift as macros it cannot import.
static inline int cferry_map_failed_is(void *p) { return p == MAP_FAILED; }
static const int CFERRY_EPOLLIN = EPOLLIN;
static const int CFERRY_EPOLLOUT = EPOLLOUT;
static const int CFERRY_EPOLLERR = EPOLLERR;
static const int CFERRY_EPOLLHUP = EPOLLHUP;
static const int CFERRY_EPOLLRDHUP = EPOLLRDHUP;
static const int CFERRY_EPOLLET = (int)EPOLLET;
static const int CFERRY_SOCK_NONBLOCK = 04000;   /* SOCK_NONBLOCK on Linux */
static const int CFERRY_SOCK_CLOEXEC = 02000000; /* SOCK_CLOEXEC on Linux */
static const int CFERRY_EFD_NONBLOCK = EFD_NONBLOCK;
static const int CFERRY_EFD_CLOEXEC = EFD_CLOEXEC;
static const int CFERRY_TFD_NONBLOCK = TFD_NONBLOCK;
static const int CFERRY_TFD_CLOEXEC = TFD_CLOEXEC;

/// Keeps allocations up to 64 MiB on the heap (not a fresh mmap each) and trims the heap only past 256 MiB free:
/// for servers that allocate and free megabyte-sized buffers per request. Returns 1 on success.
int cferry_tune_malloc_for_large_buffers(void);

#endif

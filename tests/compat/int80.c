// SPDX-License-Identifier: GPL-2.0
/*
 * A 64-bit process that moves pipe data through 32-bit syscalls (int $0x80),
 * as one hiding its traffic from a 64-bit syscall table would; on a kernel
 * with IA32 emulation. One 64-bit write of SIZE bytes goes first, so the pipe
 * has a row of its own; then COUNT writes of SIZE bytes through int $0x80 to
 * a child that reads them all through int $0x80.
 *
 *   compat-int80 COUNT SIZE
 *
 * Prints, once done: "writer PID CALLS32 BYTES32" and "reader PID CALLS32
 * BYTES32" (its reads, the one that saw the end of the pipe included), and
 * "native PID BYTES" for the 64-bit write.
 *
 * Built static and not position-independent (Makefile): the buffer is then
 * below 4 GiB, where a 32-bit call's pointer can reach it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

#define NR32_READ 3	/* arch/x86/entry/syscalls/syscall_32.tbl */
#define NR32_WRITE 4

static char buf[65536];

static long call32(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

int main(int argc, char **argv)
{
	long count, size, calls = 0, bytes = 0, r;
	int fds[2];
	pid_t child;

	if (argc != 3 || (count = atol(argv[1])) < 1 || (size = atol(argv[2])) < 1 ||
	    size > (long)sizeof(buf)) {
		fprintf(stderr, "usage: compat-int80 COUNT SIZE (1..%zu)\n", sizeof(buf));
		return 2;
	}
	if (pipe(fds) != 0) {
		perror("pipe");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		close(fds[1]);
		do {
			r = call32(NR32_READ, fds[0], (long)buf, sizeof(buf));
			calls++;
			if (r > 0)
				bytes += r;
		} while (r > 0);
		printf("reader %d %ld %ld\n", getpid(), calls, bytes);
		return r < 0;
	}
	close(fds[0]);
	if (write(fds[1], buf, (size_t)size) != size) {
		perror("write");
		return 1;
	}
	for (long i = 0; i < count; i++) {
		r = call32(NR32_WRITE, fds[1], (long)buf, size);
		if (r != size) {
			fprintf(stderr, "32-bit write: %ld\n", r);
			return 1;
		}
		calls++;
		bytes += r;
	}
	close(fds[1]);
	fflush(stdout);
	if (waitpid(child, NULL, 0) != child)
		return 1;
	printf("native %d %ld\nwriter %d %ld %ld\n", getpid(), size, getpid(), calls, bytes);
	return 0;
}

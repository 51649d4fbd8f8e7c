/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pseudo-terminals: the kernel side of the pty module (user/mechanisms/pty.c
 * names its objects, tools/demo/pty.c exercises it).
 *
 * A pty is a pair of character devices joined by the tty layer: what one
 * end writes the other reads, after the line discipline (echo, line
 * editing, \n to \r\n) has had its way. Its reads and writes come through
 * the pipe module's transfer syscalls, and count_fd() asks here whether a
 * file is one end of a pty.
 *
 * Which file is which end: its device number, as the inode holds it. The
 * master is /dev/ptmx (5:2) once opened; a slave is a devpts inode of the
 * Unix98 pty majors, 136 to 143. Both files' private_data is the tty layer's
 * struct tty_file_private, whose tty says the pty's index (N of /dev/pts/N)
 * and, through the slave's tty, which devpts instance it lives in (the
 * slave's driver_data is its dentry there), so that two containers' pty 0
 * are two objects.
 */
#ifndef IPCTRACE_FILETYPE_PTY_BPF_H
#define IPCTRACE_FILETYPE_PTY_BPF_H

#include "../core.bpf.h"

#define PTY_MASTER_DEV (5U << 20 | 2U)	/* /dev/ptmx: TTYAUX_MAJOR, minor 2 */
#define PTY_SLAVE_MAJOR_FIRST 136	/* UNIX98_PTY_SLAVE_MAJOR */
#define PTY_SLAVE_MAJORS 8		/* UNIX98_PTY_MAJOR_COUNT */

static __noinline __u8 pty_classify_file(struct file *file, __u32 rdev, struct ipc_obj_key *obj)
{
	bool master = rdev == PTY_MASTER_DEV;
	struct tty_struct *tty, *slave;
	struct tty_file_private *priv;
	struct dentry *pts;

	if (!master && (rdev >> 20) - PTY_SLAVE_MAJOR_FIRST >= PTY_SLAVE_MAJORS)
		return IPC_NONE;
	priv = BPF_CORE_READ(file, private_data);
	tty = BPF_CORE_READ(priv, tty);
	if (!tty)
		return IPC_NONE;
	slave = master ? BPF_CORE_READ(tty, link) : tty;
	if (!slave)
		return IPC_NONE;
	obj->ino = (__u32)BPF_CORE_READ(tty, index) | (master ? PTY_MASTER_BIT : 0);
	pts = BPF_CORE_READ(slave, driver_data);
	obj->dev = BPF_CORE_READ(pts, d_sb, s_dev);
	obj->type = IPC_PTY;
	return IPC_PTY;
}

#endif /* IPCTRACE_FILETYPE_PTY_BPF_H */

//! msghdr / mmsghdr / cmsg / timespec arguments of sendmsg, recvmsg, sendmmsg, recvmmsg.
//! STUB: being written by the msghdr helper.

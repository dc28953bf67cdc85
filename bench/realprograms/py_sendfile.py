"""A Python TCP server sending a file with socket.sendfile() (the sendfile syscall) to a Python
client reading it through a buffered file object (recv_into), over 127.0.0.1."""
import socket
import sys
import threading

path, port = sys.argv[1], int(sys.argv[2])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen()


def serve():
    conn, _ = srv.accept()
    with open(path, "rb") as f:
        conn.sendfile(f)
    conn.close()


t = threading.Thread(target=serve)
t.start()
cl = socket.create_connection(("127.0.0.1", port))
with cl.makefile("rb") as r:
    data = r.read()
cl.close()
t.join()
srv.close()
print(len(data), file=sys.stderr)

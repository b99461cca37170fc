/// Ferry's HTTP/1.1 server over POSIX sockets and epoll. See HTTPServer.
public enum FerryHTTPModule {}

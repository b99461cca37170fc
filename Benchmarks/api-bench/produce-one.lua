-- (1)/(5) single-message produce: a 100-byte raw body per request (one message each).
wrk.method = "POST"
wrk.body = string.rep("x", 100)
wrk.headers["Content-Type"] = "application/octet-stream"

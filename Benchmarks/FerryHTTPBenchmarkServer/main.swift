print("ferry-bench-http: not built yet")

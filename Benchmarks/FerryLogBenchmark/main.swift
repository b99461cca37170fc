print("ferry-bench-log: not built yet")

print("kbq-bench: under construction")

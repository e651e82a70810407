{
  "targets": [
    {
      "target_name": "udp_batch",
      "sources": ["udp_batch.c", "answer_cache.c", "serve_threads.c", "rrl.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [["OS!='linux'", { "type": "none" }]]
    }
  ]
}

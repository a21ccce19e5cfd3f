# Built only by `npm run build:native` (sim/native/build.mjs), never on `npm install`: this file is not at
# the repository root, so npm does not run node-gyp for it and machines without a compiler install fine.
{
  "targets": [
    {
      "target_name": "evsim_render",
      "sources": ["src/render_kernels.c"],
      # Bit-identical to the JS renderer: IEEE double arithmetic in source order. No -ffast-math, and
      # no contraction of a*b+c into fused multiply-adds (gcc/clang contract by default on ARM64, the
      # drone's Jetson; x86-64 -O2 without -mfma has no FMA, the flag makes it explicit).
      # -O2, not node-gyp's -O3: measured, -O3 made these loops 2x slower (gcc 12, x86-64).
      "cflags": ["-O2", "-ffp-contract=off", "-fno-fast-math", "-std=c11"],
      "cflags!": ["-O3"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O2", "-ffp-contract=off", "-fno-fast-math"] },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/fp:strict"] } }
    }
  ]
}

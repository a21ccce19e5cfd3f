/*
 * Native per-pixel passes of sim/camera/renderer.ts (Node-API addon, optional: the renderer falls back
 * to its JS passes when this is not built). One call per frame, over the renderer's own typed arrays
 * (zero copy: napi_get_typedarray_info hands out their backing stores).
 *
 * Bit-identical to the JS by construction, and tested so (tests/sim/renderer-native.test.ts):
 * - every operation is the JS one, in the JS order, in double precision; float32 roundings where the
 *   JS has Math.fround or stores into a Float32Array;
 * - built with -ffp-contract=off and without -ffast-math (binding.gyp): no fused multiply-adds, which
 *   would round differently (gcc and clang contract by default on ARM64);
 * - no libm transcendental functions (V8's and glibc's differ in the last bit): the fog weights, 2^-e
 *   and everything in the slot records come from the JS, through the heaps;
 * - JS int32 semantics spelled out where a value is not bounded by construction: `x | 0` of a texel
 *   coordinate is ToInt32 (truncation, wrap-around modulo 2^32, NaN and ±inf to 0), where a C cast
 *   would be undefined outside the int32 range (not reached with the renderer's data: ground points far
 *   enough for that are sampled at the top mip level, but the C must not depend on it); `(a + 1) | 0`
 *   wraps (done in uint32).
 *
 * The layout of the frame-parameter array `fp` (enum P) and of the slot records (SF, SI) mirrors the
 * const enums of renderer.ts; KERNEL_ABI is bumped whenever either changes, and the renderer refuses an
 * addon whose ABI differs (a stale build falls back to JS instead of computing garbage).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <node_api.h>

#define KERNEL_ABI 1

/* renderer.ts `P`, the frame parameters. */
enum {
  P_FA, P_FB, P_FC, P_SA, P_SB, P_SC, P_NA, P_NB, P_NC, P_EA, P_EB, P_EC, P_DA, P_DB, P_DC,
  P_ALT, P_CAMN, P_CAME, P_COLUMNS, P_GROUND_INV_TEXEL, P_LB_Q, P_LB_F, P_LB_DOWN,
  P_W, P_H, P_K, P_OFF_Q0, P_OFF_RAY_LEN, P_OFF_POW2, P_OFF_FOG, P_OFF_GLIST, P_OFF_GIDX,
  P_OFF_GROUND, P_FOG_LEN, P_MAX_LOD, P_GROUND_SIZE, P_GROUND_TOP, P_QLO, P_QSTEP, P_SKY_LOG,
  P_SKY_GRAD, P_FOG_LOG, P_GROUND_SHADE, P_STRIP_MIN, P_INV_DA, P_PIX_ANGLE, P_N_GROUND,
  P_COUNT
};
/* renderer.ts `SF`, `SI`, `Mode`: the slot records. */
enum { SF_STRIDE = 12, SF_FX = 0, SF_SCALE = 1, SF_LEVEL1 = 2, SF_FRAC = 4, SF_ADD = 5, SF_FOG = 6,
       SF_INV_TEXEL = 7, SF_V_OFF = 8, SF_CONST = 9, SF_ZF = 10 };
enum { SI_STRIDE = 10, SI_MODE = 0, SI_COL0 = 1, SI_COL1 = 2, SI_MASK = 3, SI_SIZE = 4, SI_LEVEL1 = 4 };
enum { MODE_ONE_LEVEL = 0, MODE_TWO_LEVELS = 1, MODE_CONSTANT = 2 };

/* renderer.ts MIN_FORWARD, FOG_LUT_STEP_M; texture.ts COORD_OFFSET (1048576 − 0.5, exact). */
static const double MIN_FORWARD = 0.05;
static const double FOG_LUT_STEP_M = 0.05;
static const double COORD_OFFSET = 1048575.5;

/* JS ToInt32 (`x | 0`): the slow path only for values outside the int32 range, NaN and infinities. */
static int32_t to_int32_slow(double x) {
  if (!isfinite(x)) return 0;
  double m = fmod(trunc(x), 4294967296.0); /* exact */
  if (m < 0) m += 4294967296.0;
  return (int32_t)(uint32_t)m;
}
static inline int32_t to_int32(double x) {
  if (x > -2147483649.0 && x < 2147483648.0) return (int32_t)x;
  return to_int32_slow(x);
}
/* (a + 1) | 0 in JS: wraps at 2^31. */
static inline int32_t inc_int32(int32_t a) { return (int32_t)((uint32_t)a + 1u); }

/* ------------------------------------------------------------------------------------------------ */
/* Kernels: renderer.ts's loops, statement by statement (see the comments there for the why).          */

/** renderer.ts groundLevels: mip level of detail per listed ground pixel. */
static void ground_levels(double *F, const double *fp, int32_t nG) {
  const double alt = fp[P_ALT];
  const double groundInvTexel = fp[P_GROUND_INV_TEXEL];
  const double pixAngle = fp[P_PIX_ANGLE];
  const double footScaleNear = (pixAngle * groundInvTexel) / alt;
  const double footScaleFar = 10 * pixAngle * groundInvTexel;
  const double tenAlt = 10 * alt;
  const int32_t offGList = (int32_t)fp[P_OFF_GLIST];
  const int32_t offPow2 = (int32_t)fp[P_OFF_POW2];
  for (int32_t k = 0; k < nG; k++) {
    const int32_t g = offGList + (k << 2);
    const double range = F[g + 3];
    const double footTx = range < tenAlt ? range * range * footScaleNear : range * footScaleFar;
    double lod = 0;
    if (footTx > 1) {
      const int32_t xi = footTx < 1073741824 ? (int32_t)footTx : 1073741824;
      const int32_t e = 31 - __builtin_clz((uint32_t)xi);
      lod = (double)(float)(e + footTx * F[offPow2 + e] - 1);
    }
    F[g + 2] = lod;
  }
}

/** renderer.ts groundSample: trilinear sample, light and fog per listed ground pixel. */
static void ground_sample(const double *F, const int32_t *I, const double *data, float *logI, const double *fp, int32_t nG) {
  const int32_t offGList = (int32_t)fp[P_OFF_GLIST];
  const int32_t offGIdx = (int32_t)fp[P_OFF_GIDX];
  const int32_t offPow2 = (int32_t)fp[P_OFF_POW2];
  const int32_t offFog = (int32_t)fp[P_OFF_FOG];
  const int32_t fogLen = (int32_t)fp[P_FOG_LEN];
  const int32_t fogLast = offFog + fogLen - 1;
  const double fogSteps = fogLen - 1;
  const int32_t offGround = (int32_t)fp[P_OFF_GROUND];
  const double fogLog = fp[P_FOG_LOG];
  const double maxLod = fp[P_MAX_LOD];
  const double qLo = fp[P_QLO];
  const double qStep = fp[P_QSTEP];
  const int32_t groundTopIndex = (int32_t)fp[P_GROUND_TOP];
  const int32_t groundSize = (int32_t)fp[P_GROUND_SIZE];
  const double groundShade = fp[P_GROUND_SHADE];
  const double fogScale = 1 / FOG_LUT_STEP_M;
  const double OFF = COORD_OFFSET;
  for (int32_t k = 0; k < nG; k++) {
    const int32_t g = offGList + (k << 2);
    const double u = F[g];
    const double v = F[g + 1];
    const double lod = F[g + 2];
    const double range = F[g + 3];
    double albedo;
    if (lod >= maxLod) albedo = data[groundTopIndex];
    else {
      const int32_t l0 = lod > 0 ? (int32_t)lod : 0; /* 0 < lod < maxLod */
      const double frac = lod - l0;
      double scale = F[offPow2 + l0];
      int32_t size = groundSize >> l0;
      int32_t mask = size - 1;
      int32_t off = I[offGround + l0];
      double x = u * scale + OFF;
      double y = v * scale + OFF;
      int32_t xi = to_int32(x);
      int32_t yi = to_int32(y);
      double fx = x - xi;
      /* Masked: every index below lies inside the level, whatever xi and yi are. */
      int32_t x0 = xi & mask;
      int32_t x1 = inc_int32(xi) & mask;
      int32_t r0 = off + (yi & mask) * size;
      int32_t r1 = off + (inc_int32(yi) & mask) * size;
      double a = data[r0 + x0];
      double top = a + (data[r0 + x1] - a) * fx;
      double cc = data[r1 + x0];
      albedo = top + (cc + (data[r1 + x1] - cc) * fx - top) * (y - yi);
      if (frac >= 1.0 / 64) {
        const int32_t l1 = l0 + 1;
        scale = F[offPow2 + l1];
        size = groundSize >> l1;
        mask = size - 1;
        off = I[offGround + l1];
        x = u * scale + OFF;
        y = v * scale + OFF;
        xi = to_int32(x);
        yi = to_int32(y);
        fx = x - xi;
        x0 = xi & mask;
        x1 = inc_int32(xi) & mask;
        r0 = off + (yi & mask) * size;
        r1 = off + (inc_int32(yi) & mask) * size;
        a = data[r0 + x0];
        top = a + (data[r0 + x1] - a) * fx;
        cc = data[r1 + x0];
        albedo += (top + (cc + (data[r1 + x1] - cc) * fx - top) * (y - yi) - albedo) * frac;
      }
    }
    const double steps = range * fogScale;
    const int32_t li = steps < fogSteps ? offFog + (int32_t)steps : fogLast; /* 0 ≤ steps < fogSteps */
    const double lit = qLo + qStep * albedo + groundShade;
    logI[I[offGIdx + k]] = (float)(lit + (fogLog - lit) * F[li]);
  }
}

/** renderer.ts layerBehind: column j's first layer behind the nearest that the ray meets (−1: none). */
static int32_t layer_behind(int32_t j, const float *zfArr, const float *topArr, int32_t K, double q, double f, double down, double alt) {
  const int32_t base = j * K;
  for (int32_t k = 1; k < K; k++) {
    const double zf = zfArr[base + k];
    if (!(zf < INFINITY) || (down > 0 && zf * down >= alt * f)) break;
    if (alt + zf * q <= topArr[base + k]) return base + k;
  }
  return -1;
}

/**
 * renderer.ts shadedPass: geometry and shading per pixel, ground pixels listed; returns the number of
 * ground pixels listed and writes the frame's smallest depth to *minDepthOut.
 */
static int32_t shaded_pass(double *F, int32_t *I, const double *data, float *logI, float *depth, const float *zfArr,
                           const float *topArr, const double *fp, double *minDepthOut) {
  const int32_t W = (int32_t)fp[P_W];
  const int32_t H = (int32_t)fp[P_H];
  const double fA = fp[P_FA], fB = fp[P_FB], fC = fp[P_FC];
  const double sA = fp[P_SA], sB = fp[P_SB], sC = fp[P_SC];
  const double nA = fp[P_NA], nB = fp[P_NB], nC = fp[P_NC];
  const double eA = fp[P_EA], eB = fp[P_EB], eC = fp[P_EC];
  const double dA = fp[P_DA], dB = fp[P_DB], dC = fp[P_DC];
  const double alt = fp[P_ALT];
  const double camN = fp[P_CAMN];
  const double camE = fp[P_CAME];
  const int32_t columns = to_int32(fp[P_COLUMNS]);
  const double columnsD = columns;
  const int32_t offQ0 = (int32_t)fp[P_OFF_Q0];
  const int32_t offRayLen = (int32_t)fp[P_OFF_RAY_LEN];
  const double skyLog = fp[P_SKY_LOG];
  const double skyGrad = fp[P_SKY_GRAD];
  const double fogLog = fp[P_FOG_LOG];
  const double qLo = fp[P_QLO];
  const double qStep = fp[P_QSTEP];
  const double groundInvTexel = fp[P_GROUND_INV_TEXEL];
  const int32_t K = (int32_t)fp[P_K];
  const double stripMin = fp[P_STRIP_MIN];
  const double invDa = fp[P_INV_DA];
  const double OFF = COORD_OFFSET;
  const double minF = MIN_FORWARD;
  const int32_t offGList = (int32_t)fp[P_OFF_GLIST];
  const int32_t offGIdx = (int32_t)fp[P_OFF_GIDX];
  double minDepth = INFINITY;
  int32_t nG = 0;

  for (int32_t r = 0; r < H; r++) {
    double f = fB * r + fC;
    double s = sB * r + sC;
    double dn = nB * r + nC;
    double de = eB * r + eC;
    double up = -(dB * r + dC);
    const int32_t rowBase = r * W;
    for (int32_t c = 0; c < W; c++, f += fA, s += sA, dn += nA, de += eA, up -= dA) {
      const int32_t i = rowBase + c;
      const double down = -up;
      if (f > minF) {
        const double invf = 1 / f;
        const double x = (s * invf - stripMin) * invDa;
        if (x >= 0 && x < columnsD) {
          const double q = up * invf;
          const int32_t j = (int32_t)x; /* 0 ≤ x < columns */
          int32_t slot = -1;
          const int32_t q0 = offQ0 + (j << 1);
          if (q > F[q0]) {
            if (q <= F[q0 + 1]) slot = j * K;
            else slot = layer_behind(j, zfArr, topArr, K, q, f, down, alt);
          }
          if (slot >= 0) {
            const double *rec = F + slot * SF_STRIDE;
            const int32_t *reci = I + slot * SI_STRIDE;
            const double zHit = rec[SF_ZF];
            const double tHit = zHit * invf;
            depth[i] = (float)tHit;
            if (tHit < minDepth) minDepth = tHit;
            const int32_t mode = reci[SI_MODE];
            if (mode == MODE_CONSTANT) {
              logI[i] = (float)rec[SF_CONST];
              continue;
            }
            const double v = (double)(float)((alt + zHit * q) * rec[SF_INV_TEXEL] + rec[SF_V_OFF]);
            double y = v * rec[SF_SCALE] + OFF;
            int32_t yi = to_int32(y);
            int32_t mask = reci[SI_MASK];
            int32_t size = reci[SI_SIZE];
            int32_t r0 = (yi & mask) * size;
            int32_t r1 = (inc_int32(yi) & mask) * size;
            int32_t p0 = reci[SI_COL0];
            int32_t p1 = reci[SI_COL1];
            double fx = rec[SF_FX];
            double a = data[r0 + p0];
            double top = a + (data[r0 + p1] - a) * fx;
            double cc = data[r1 + p0];
            double albedo = top + (cc + (data[r1 + p1] - cc) * fx - top) * (y - yi);
            if (mode == MODE_TWO_LEVELS) {
              y = v * rec[SF_LEVEL1 + SF_SCALE] + OFF;
              yi = to_int32(y);
              mask = reci[SI_LEVEL1 + SI_MASK];
              size = reci[SI_LEVEL1 + SI_SIZE];
              r0 = (yi & mask) * size;
              r1 = (inc_int32(yi) & mask) * size;
              p0 = reci[SI_LEVEL1 + SI_COL0];
              p1 = reci[SI_LEVEL1 + SI_COL1];
              fx = rec[SF_LEVEL1 + SF_FX];
              a = data[r0 + p0];
              top = a + (data[r0 + p1] - a) * fx;
              cc = data[r1 + p0];
              albedo += (top + (cc + (data[r1 + p1] - cc) * fx - top) * (y - yi) - albedo) * rec[SF_FRAC];
            }
            const double lit = qLo + qStep * albedo + rec[SF_ADD];
            logI[i] = (float)(lit + (fogLog - lit) * rec[SF_FOG]);
            continue;
          }
        }
      }
      if (down > 1e-9) {
        const double tGround = alt / down;
        depth[i] = (float)tGround;
        if (tGround < minDepth) minDepth = tGround;
        double *g = F + offGList + (nG << 2);
        g[0] = (double)(float)((camE + tGround * de) * groundInvTexel);
        g[1] = (double)(float)((camN + tGround * dn) * groundInvTexel);
        g[3] = tGround * F[offRayLen + i];
        I[offGIdx + nG] = i;
        nG++;
        continue;
      }
      depth[i] = INFINITY;
      const double q = f > minF ? up / f : 3;
      logI[i] = (float)(skyLog + skyGrad * (q < 3 ? q : 3));
    }
  }
  *minDepthOut = minDepth;
  return nG;
}

/** renderer.ts depthPass: depth only (the ground-truth camera); returns the frame's smallest depth. */
static double depth_pass(const double *F, float *depth, const float *zfArr, const float *topArr, const double *fp) {
  const int32_t W = (int32_t)fp[P_W];
  const int32_t H = (int32_t)fp[P_H];
  const double fA = fp[P_FA], fB = fp[P_FB], fC = fp[P_FC];
  const double sA = fp[P_SA], sB = fp[P_SB], sC = fp[P_SC];
  const double dA = fp[P_DA], dB = fp[P_DB], dC = fp[P_DC];
  const double alt = fp[P_ALT];
  const int32_t columns = to_int32(fp[P_COLUMNS]);
  const double columnsD = columns;
  const int32_t K = (int32_t)fp[P_K];
  const int32_t offQ0 = (int32_t)fp[P_OFF_Q0];
  const double stripMin = fp[P_STRIP_MIN];
  const double invDa = fp[P_INV_DA];
  const double minF = MIN_FORWARD;
  double minDepth = INFINITY;
  for (int32_t r = 0; r < H; r++) {
    double f = fB * r + fC;
    double s = sB * r + sC;
    double up = -(dB * r + dC);
    const int32_t rowBase = r * W;
    for (int32_t c = 0; c < W; c++, f += fA, s += sA, up -= dA) {
      const int32_t i = rowBase + c;
      const double down = -up;
      if (f > minF) {
        const double invf = 1 / f;
        const double x = (s * invf - stripMin) * invDa;
        if (x >= 0 && x < columnsD) {
          const double q = up * invf;
          const int32_t j = (int32_t)x;
          double zHit = -1;
          const int32_t q0 = offQ0 + (j << 1);
          if (q > F[q0]) {
            if (q <= F[q0 + 1]) zHit = zfArr[j * K];
            else {
              const int32_t base = j * K;
              for (int32_t k = 1; k < K; k++) {
                const double zf = zfArr[base + k];
                if (!(zf < INFINITY) || (down > 0 && zf * down >= alt * f)) break;
                if (alt + zf * q <= topArr[base + k]) {
                  zHit = zf;
                  break;
                }
              }
            }
          }
          if (zHit >= 0) {
            const double tHit = zHit * invf;
            depth[i] = (float)tHit;
            if (tHit < minDepth) minDepth = tHit;
            continue;
          }
        }
      }
      if (down > 1e-9) {
        const double tGround = alt / down;
        depth[i] = (float)tGround;
        if (tGround < minDepth) minDepth = tGround;
        continue;
      }
      depth[i] = INFINITY;
    }
  }
  return minDepth;
}

/* ------------------------------------------------------------------------------------------------ */
/* Node-API glue.                                                                                      */

typedef struct {
  void *data;
  size_t length;
} Typed;

/** The typed array argument `index` of kind `type`, or a pending JS exception (returns 0). */
static int get_typed(napi_env env, napi_value v, napi_typedarray_type type, const char *what, Typed *out) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) {
    napi_throw_type_error(env, NULL, what);
    return 0;
  }
  napi_typedarray_type t;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, v, &t, &length, &data, NULL, NULL) != napi_ok || t != type) {
    napi_throw_type_error(env, NULL, what);
    return 0;
  }
  out->data = data;
  out->length = length;
  return 1;
}

/**
 * Cheap bounds of the ground loops' tables. The texel indices need none: each is a level's offset plus
 * masked row and column, inside the atlas by construction (TextureAtlas); so are the slot records'.
 */
static int ground_bounds_ok(const double *p, size_t nF, size_t nI, size_t nData) {
  return p[P_FOG_LEN] >= 1 && p[P_OFF_FOG] + p[P_FOG_LEN] <= nF && p[P_OFF_POW2] + 32 <= nF &&
         p[P_MAX_LOD] >= 0 && p[P_MAX_LOD] < 32 && p[P_OFF_GROUND] + p[P_MAX_LOD] + 1 <= nI &&
         p[P_GROUND_TOP] >= 0 && p[P_GROUND_TOP] < nData;
}

static int check(napi_env env, int ok, const char *what) {
  if (!ok) napi_throw_range_error(env, NULL, what);
  return ok;
}

/** ground(F: Float64Array, I: Int32Array, atlasValues: Float64Array, logI: Float32Array, fp: Float64Array): undefined */
static napi_value js_ground(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) {
    napi_throw_type_error(env, NULL, "ground: 5 arguments expected");
    return NULL;
  }
  Typed F, I, data, logI, fp;
  if (!get_typed(env, argv[0], napi_float64_array, "ground: heapF must be a Float64Array", &F) ||
      !get_typed(env, argv[1], napi_int32_array, "ground: heapI must be an Int32Array", &I) ||
      !get_typed(env, argv[2], napi_float64_array, "ground: atlas values must be a Float64Array", &data) ||
      !get_typed(env, argv[3], napi_float32_array, "ground: logI must be a Float32Array", &logI) ||
      !get_typed(env, argv[4], napi_float64_array, "ground: fp must be a Float64Array", &fp))
    return NULL;
  if (!check(env, fp.length >= P_COUNT, "ground: fp too short")) return NULL;
  const double *p = fp.data;
  const int32_t nG = (int32_t)p[P_N_GROUND];
  if (!check(env, nG >= 0 && nG <= p[P_W] * p[P_H] && logI.length >= (size_t)(p[P_W] * p[P_H]) &&
                      p[P_OFF_GLIST] + 4.0 * nG <= F.length && p[P_OFF_GIDX] + nG <= I.length &&
                      ground_bounds_ok(p, F.length, I.length, data.length),
             "ground: parameters out of range"))
    return NULL;
  ground_levels(F.data, p, nG);
  ground_sample(F.data, I.data, data.data, logI.data, p, nG);
  return NULL;
}

/** Bounds of what the pixel passes index (heaps, outputs, caster layers), from fp's layout fields. */
static int pixel_pass_bounds_ok(const double *p, size_t nF, size_t nI, size_t nDepth, size_t nLayers) {
  const double n = p[P_W] * p[P_H];
  const double columns = p[P_COLUMNS];
  return p[P_W] >= 1 && p[P_H] >= 1 && p[P_K] >= 1 && columns >= 0 && nDepth >= n &&
         nLayers >= columns * p[P_K] && columns * p[P_K] * SF_STRIDE <= p[P_OFF_Q0] &&
         columns * p[P_K] * SI_STRIDE <= nI && p[P_OFF_Q0] + 2 * columns <= nF &&
         p[P_OFF_RAY_LEN] + n <= nF && p[P_OFF_GLIST] + 4 * n <= nF && p[P_OFF_GIDX] + n <= nI;
}

/**
 * shaded(F, I, atlasValues, logI, depthM, zf, top, fp): the whole shaded frame after the slot records
 * (pixel pass, then the ground list); returns the smallest depth, leaves the ground count in fp.
 */
static napi_value js_shaded(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 8) {
    napi_throw_type_error(env, NULL, "shaded: 8 arguments expected");
    return NULL;
  }
  Typed F, I, data, logI, depth, zf, top, fp;
  if (!get_typed(env, argv[0], napi_float64_array, "shaded: heapF must be a Float64Array", &F) ||
      !get_typed(env, argv[1], napi_int32_array, "shaded: heapI must be an Int32Array", &I) ||
      !get_typed(env, argv[2], napi_float64_array, "shaded: atlas values must be a Float64Array", &data) ||
      !get_typed(env, argv[3], napi_float32_array, "shaded: logI must be a Float32Array", &logI) ||
      !get_typed(env, argv[4], napi_float32_array, "shaded: depthM must be a Float32Array", &depth) ||
      !get_typed(env, argv[5], napi_float32_array, "shaded: zf must be a Float32Array", &zf) ||
      !get_typed(env, argv[6], napi_float32_array, "shaded: top must be a Float32Array", &top) ||
      !get_typed(env, argv[7], napi_float64_array, "shaded: fp must be a Float64Array", &fp))
    return NULL;
  if (!check(env, fp.length >= P_COUNT, "shaded: fp too short")) return NULL;
  double *p = fp.data;
  if (!check(env,
             pixel_pass_bounds_ok(p, F.length, I.length, depth.length < logI.length ? depth.length : logI.length,
                                  zf.length < top.length ? zf.length : top.length) &&
                 ground_bounds_ok(p, F.length, I.length, data.length),
             "shaded: parameters out of range"))
    return NULL;
  double minDepth;
  const int32_t nG = shaded_pass(F.data, I.data, data.data, logI.data, depth.data, zf.data, top.data, p, &minDepth);
  p[P_N_GROUND] = nG;
  ground_levels(F.data, p, nG);
  ground_sample(F.data, I.data, data.data, logI.data, p, nG);
  napi_value result;
  napi_create_double(env, minDepth, &result);
  return result;
}

/** depth(F, depthM, zf, top, fp): the depth-only frame after the visibility bounds; returns the smallest depth. */
static napi_value js_depth(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) {
    napi_throw_type_error(env, NULL, "depth: 5 arguments expected");
    return NULL;
  }
  Typed F, depth, zf, top, fp;
  if (!get_typed(env, argv[0], napi_float64_array, "depth: heapF must be a Float64Array", &F) ||
      !get_typed(env, argv[1], napi_float32_array, "depth: depthM must be a Float32Array", &depth) ||
      !get_typed(env, argv[2], napi_float32_array, "depth: zf must be a Float32Array", &zf) ||
      !get_typed(env, argv[3], napi_float32_array, "depth: top must be a Float32Array", &top) ||
      !get_typed(env, argv[4], napi_float64_array, "depth: fp must be a Float64Array", &fp))
    return NULL;
  if (!check(env, fp.length >= P_COUNT, "depth: fp too short")) return NULL;
  const double *p = fp.data;
  /* No heapI here: its bound is not checked (the depth pass does not read it). */
  if (!check(env, pixel_pass_bounds_ok(p, F.length, (size_t)-1, depth.length, zf.length < top.length ? zf.length : top.length),
             "depth: parameters out of range"))
    return NULL;
  napi_value result;
  napi_create_double(env, depth_pass(F.data, depth.data, zf.data, top.data, p), &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn, abi;
  napi_create_function(env, "ground", NAPI_AUTO_LENGTH, js_ground, NULL, &fn);
  napi_set_named_property(env, exports, "ground", fn);
  napi_create_function(env, "shaded", NAPI_AUTO_LENGTH, js_shaded, NULL, &fn);
  napi_set_named_property(env, exports, "shaded", fn);
  napi_create_function(env, "depth", NAPI_AUTO_LENGTH, js_depth, NULL, &fn);
  napi_set_named_property(env, exports, "depth", fn);
  napi_create_int32(env, KERNEL_ABI, &abi);
  napi_set_named_property(env, exports, "abi", abi);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }

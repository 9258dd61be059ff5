// N-API surface of the image addon: jpegHeader (synchronous: a header parse takes microseconds), transform
// (napi async work on the libuv pool running one image's pipeline.c job: one round trip per image, the JS thread
// stays free and several images decode at once) and version.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>

#include <jpeglib.h>

#include "pipeline.h"

#define MAX_SIDE 65535

/* One queued transform: the job and what keeps its JS buffers alive until it completes. */
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref src_ref;
  napi_ref float_ref;
  sf_job job;
} task;

static void execute(napi_env env, void* data) {
  (void)env;
  sf_run_job(&((task*)data)->job);
}

static napi_value make_error(napi_env env, const char* message) {
  napi_value msg, err;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &err);
  return err;
}

static void set_int(napi_env env, napi_value obj, const char* name, int v) {
  napi_value value;
  napi_create_int32(env, v, &value);
  napi_set_named_property(env, obj, name, value);
}

static void complete(napi_env env, napi_status status, void* data) {
  task* t = (task*)data;
  sf_job* j = &t->job;
  if (status != napi_ok && !j->failed) {
    j->failed = 1;
    snprintf(j->error, SF_ERROR_LEN, "image work was cancelled");
  }
  if (j->failed) {
    napi_reject_deferred(env, t->deferred, make_error(env, j->error));
  } else {
    napi_value result, buffer, grey;
    void* copy;
    napi_create_object(env, &result);
    if (j->out)
      napi_create_buffer_copy(env, j->out_len, j->out, &copy, &buffer);
    else
      napi_get_null(env, &buffer);
    napi_set_named_property(env, result, "data", buffer);
    set_int(env, result, "width", j->width);
    set_int(env, result, "height", j->height);
    set_int(env, result, "scale", j->scale_n);
    if (j->has_grey)
      napi_create_buffer_copy(env, 72, j->grey, &copy, &grey);
    else
      napi_get_null(env, &grey);
    napi_set_named_property(env, result, "grey", grey);
    napi_resolve_deferred(env, t->deferred, result);
  }
  free(j->out);
  if (t->src_ref) napi_delete_reference(env, t->src_ref);
  if (t->float_ref) napi_delete_reference(env, t->float_ref);
  napi_delete_async_work(env, t->work);
  free(t);
}

/* Reads a typed array argument of the wanted type; null/undefined allowed when optional. 0 after throwing. */
static int typed_array(napi_env env, napi_value v, napi_typedarray_type want, const char* what, int optional, void** data,
                       size_t* length) {
  napi_valuetype vt;
  napi_typeof(env, v, &vt);
  if (optional && (vt == napi_null || vt == napi_undefined)) {
    *data = NULL;
    *length = 0;
    return 1;
  }
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  if (!is_ta || napi_get_typedarray_info(env, v, &type, length, data, &ab, &offset) != napi_ok || type != want) {
    napi_throw_type_error(env, "ERR_SIGFORGE_IMAGE_ARG", what);
    return 0;
  }
  return 1;
}

static napi_value throw_range(napi_env env, const char* message) {
  napi_throw_range_error(env, "ERR_SIGFORGE_IMAGE_ARG", message);
  return NULL;
}

/* transform(src: Uint8Array, rawWidth, rawHeight, params: Float64Array, floatOut: Float32Array | null): Promise */
static napi_value transform(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value args[5];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc < 5) return throw_range(env, "transform takes 5 arguments");
  void *src, *params, *floats;
  size_t src_len, params_len, floats_len;
  int32_t raw_w, raw_h;
  if (!typed_array(env, args[0], napi_uint8_array, "transform: source must be a Uint8Array", 0, &src, &src_len))
    return NULL;
  if (napi_get_value_int32(env, args[1], &raw_w) != napi_ok || napi_get_value_int32(env, args[2], &raw_h) != napi_ok)
    return throw_range(env, "transform: raw width and height must be integers");
  if (!typed_array(env, args[3], napi_float64_array, "transform: params must be a Float64Array", 0, &params, &params_len))
    return NULL;
  if (!typed_array(env, args[4], napi_float32_array, "transform: float output must be a Float32Array", 1, &floats,
                   &floats_len))
    return NULL;
  if (params_len != P_COUNT) return throw_range(env, "transform: params has the wrong length");
  const double* p = (const double*)params;
  const double ow = p[P_OUT_W], oh = p[P_OUT_H], cw = p[P_CANVAS_W], ch = p[P_CANVAS_H];
  if (!(ow >= 1 && oh >= 1 && ow <= MAX_SIDE && oh <= MAX_SIDE) || ow != floor(ow) || oh != floor(oh))
    return throw_range(env, "transform: output size must be integers in 1..65535");
  if (!(cw >= ow && ch >= oh && cw <= MAX_SIDE && ch <= MAX_SIDE) || cw != floor(cw) || ch != floor(ch) ||
      !(p[P_OFF_X] >= 0 && p[P_OFF_Y] >= 0 && p[P_OFF_X] + ow <= cw && p[P_OFF_Y] + oh <= ch) ||
      p[P_OFF_X] != floor(p[P_OFF_X]) || p[P_OFF_Y] != floor(p[P_OFF_Y]))
    return throw_range(env, "transform: canvas must contain the output region at integer offsets");
  if (!(p[P_QUALITY] >= 0 && p[P_QUALITY] <= 100)) return throw_range(env, "transform: quality must be in 0..100");
  if (raw_w < 0 || raw_h < 0 || (raw_w > 0) != (raw_h > 0) ||
      (raw_w > 0 && (size_t)raw_w * (size_t)raw_h * 3 > src_len))
    return throw_range(env, "transform: raw source is smaller than width x height x 3");
  if (floats && floats_len < (size_t)cw * (size_t)ch * 3)
    return throw_range(env, "transform: float output is smaller than the canvas");
  if (floats && p[P_QUALITY] > 0) return throw_range(env, "transform: float output and JPEG quality exclude each other");

  task* t = (task*)calloc(1, sizeof(task));
  if (!t) return throw_range(env, "transform: out of memory");
  sf_job* j = &t->job;
  j->src = (const uint8_t*)src;
  j->src_len = src_len;
  j->raw_w = raw_w;
  j->raw_h = raw_h;
  memcpy(j->p, p, sizeof(j->p));
  j->float_out = (float*)floats;
  /* The buffers stay alive (referenced) until the work completes; JS must not touch them meanwhile. */
  napi_create_reference(env, args[0], 1, &t->src_ref);
  if (floats) napi_create_reference(env, args[4], 1, &t->float_ref);
  napi_value promise, name;
  napi_create_promise(env, &t->deferred, &promise);
  napi_create_string_utf8(env, "sigforge:image-transform", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, t, &t->work);
  napi_queue_async_work(env, t->work);
  return promise;
}

/* jpegHeader(bytes: Uint8Array): { width, height, components, colorSpace, progressive, precision, orientation, icc } */
static napi_value jpeg_header(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, NULL, NULL);
  void* data;
  size_t len;
  if (argc < 1 || !typed_array(env, arg, napi_uint8_array, "jpegHeader: bytes must be a Uint8Array", 0, &data, &len))
    return NULL;
  sf_header h;
  char error[SF_ERROR_LEN];
  if (sf_read_header((const uint8_t*)data, len, &h, error)) {
    napi_throw(env, make_error(env, error));
    return NULL;
  }
  napi_value out, b;
  napi_create_object(env, &out);
  set_int(env, out, "width", h.width);
  set_int(env, out, "height", h.height);
  set_int(env, out, "components", h.components);
  set_int(env, out, "colorSpace", h.color_space);
  set_int(env, out, "precision", h.precision);
  set_int(env, out, "orientation", h.orientation);
  napi_get_boolean(env, h.progressive != 0, &b);
  napi_set_named_property(env, out, "progressive", b);
  napi_get_boolean(env, h.icc != 0, &b);
  napi_set_named_property(env, out, "icc", b);
  return out;
}

#define SF_STR2(x) #x
#define SF_STR(x) SF_STR2(x)

/* version(): the libjpeg this addon was compiled against. */
static napi_value version(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
#ifdef LIBJPEG_TURBO_VERSION
  const char* v = "libjpeg-turbo " SF_STR(LIBJPEG_TURBO_VERSION) " (libjpeg API " SF_STR(JPEG_LIB_VERSION) ")";
#else
  const char* v = "libjpeg API " SF_STR(JPEG_LIB_VERSION);
#endif
  napi_create_string_utf8(env, v, NAPI_AUTO_LENGTH, &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"version", NULL, version, NULL, NULL, NULL, napi_default, NULL},
      {"transform", NULL, transform, NULL, NULL, NULL, napi_default, NULL},
      {"jpegHeader", NULL, jpeg_header, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

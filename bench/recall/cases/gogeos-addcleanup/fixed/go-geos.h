/* stub of go-geos.h / GEOS C API (not from the project) */
#include <stdlib.h>
typedef struct GEOSContextHandle_HS *GEOSContextHandle_t;
struct GEOSWKBReader_t { int dummy; };
struct GEOSGeom_t { int dummy; };
static inline struct GEOSWKBReader_t *GEOSWKBReader_create_r(GEOSContextHandle_t h) { return (struct GEOSWKBReader_t *)malloc(sizeof(struct GEOSWKBReader_t)); }
static inline void GEOSWKBReader_destroy_r(GEOSContextHandle_t h, struct GEOSWKBReader_t *r) { free(r); }
static inline struct GEOSGeom_t *GEOSWKBReader_read_r(GEOSContextHandle_t h, struct GEOSWKBReader_t *r, const unsigned char *wkb, size_t size) { return NULL; }
static inline void finishGEOS_r(GEOSContextHandle_t h) {}

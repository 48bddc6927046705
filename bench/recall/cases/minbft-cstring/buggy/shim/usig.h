/* stub of minbft usig/sgx/shim/usig.h (not from the project): SGX SDK types and trivial functions */
#ifndef USIG_H__
#define USIG_H__
#include <stddef.h>
#include <stdint.h>
typedef uint64_t sgx_enclave_id_t;
typedef int sgx_status_t;
#define SGX_SUCCESS 0
static inline sgx_status_t usig_init(const char *enalave_file, sgx_enclave_id_t *enclave_id,
                       void *sealed_data, size_t sealed_data_size) { (void)enalave_file; *enclave_id = 1; return SGX_SUCCESS; }
static inline sgx_status_t usig_get_epoch(sgx_enclave_id_t enclave_id, uint64_t *epoch) { *epoch = 0; return SGX_SUCCESS; }
static inline sgx_status_t usig_destroy(const sgx_enclave_id_t enclave_id) { return SGX_SUCCESS; }
#endif

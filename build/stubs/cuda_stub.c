/* A stand-in for the NVIDIA driver library (libcuda.so.1) on machines without a GPU.
 *
 * Built with:  gcc -shared -fPIC -o libcuda.so.1 cuda_stub.c [-DSTUB_DEVICES=1 -DSTUB_MAJOR=9 -DSTUB_MINOR=0]
 * By default it reports no device (CUDA_ERROR_NO_DEVICE), which lets the GPU build of MXNet
 * import with num_gpus() == 0; the STUB_* macros fake one GPU of a given compute capability
 * so tests can check how d2l treats supported and unsupported architectures.
 * The remaining functions are the driver symbols that libmxnet.so (mxnet-cu112 1.9.1) links
 * against (`nm -D --undefined-only libmxnet.so | grep ' cu'`); they all report no device.
 */
#ifndef STUB_DEVICES
#define STUB_DEVICES 0
#endif
#ifndef STUB_MAJOR
#define STUB_MAJOR 8
#endif
#ifndef STUB_MINOR
#define STUB_MINOR 6
#endif

#define CUDA_SUCCESS 0
#define CUDA_ERROR_INVALID_VALUE 1
#define CUDA_ERROR_NO_DEVICE 100
#define CUDA_ERROR_INVALID_DEVICE 101

int cuInit(unsigned int flags) { (void)flags; return STUB_DEVICES ? CUDA_SUCCESS : CUDA_ERROR_NO_DEVICE; }

int cuDriverGetVersion(int *version) { *version = 11020; return CUDA_SUCCESS; }

int cuDeviceGetCount(int *count) { *count = STUB_DEVICES; return STUB_DEVICES ? CUDA_SUCCESS : CUDA_ERROR_NO_DEVICE; }

int cuDeviceGet(int *device, int ordinal) {
    if (ordinal < 0 || ordinal >= STUB_DEVICES) return CUDA_ERROR_INVALID_DEVICE;
    *device = ordinal;
    return CUDA_SUCCESS;
}

int cuDeviceGetAttribute(int *value, int attribute, int device) {
    if (device < 0 || device >= STUB_DEVICES) return CUDA_ERROR_INVALID_DEVICE;
    if (attribute == 75) { *value = STUB_MAJOR; return CUDA_SUCCESS; }
    if (attribute == 76) { *value = STUB_MINOR; return CUDA_SUCCESS; }
    return CUDA_ERROR_INVALID_VALUE;
}

int cuGetErrorString(int error, const char **message) {
    (void)error;
    *message = "no CUDA-capable device (stub driver library)";
    return CUDA_SUCCESS;
}

/* Called only once a device exists; with the stub there is none. */
#define NO_DEVICE(name) int name(void) { return CUDA_ERROR_NO_DEVICE; }
NO_DEVICE(cuDevicePrimaryCtxRetain)
NO_DEVICE(cuGraphKernelNodeGetParams)
NO_DEVICE(cuGraphNodeGetType)
NO_DEVICE(cuLaunchKernel)
NO_DEVICE(cuModuleGetFunction)
NO_DEVICE(cuModuleLoadData)
NO_DEVICE(cuModuleLoadDataEx)
NO_DEVICE(cuModuleUnload)

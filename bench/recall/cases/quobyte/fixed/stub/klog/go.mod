module k8s.io/klog

go 1.19

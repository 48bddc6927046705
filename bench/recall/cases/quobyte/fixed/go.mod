module example.com/quobyte

go 1.19

require k8s.io/klog v0.0.0

replace k8s.io/klog => ./stub/klog

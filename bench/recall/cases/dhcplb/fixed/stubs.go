package dhcplb

import (
	"net"
	"time"
)

// Minimal stubs (not from the original project).
type Config struct{ Version int }

type loggerHelper interface {
	LogErr(t time.Time, a, b interface{}, peer *net.UDPAddr, code string, err error)
}

type Throttle interface {
	OK(key interface{}) (bool, error)
}

func handleRawPacketV4(logger loggerHelper, config *Config, buffer []byte, peer *net.UDPAddr) {}
func handleRawPacketV6(logger loggerHelper, config *Config, buffer []byte, peer *net.UDPAddr) {}

package dhcplb

import (
	"example.com/dhcplb/glog"
	"net"
	"runtime/debug"
	"sync"
	"time"
)

// List of possible errors.
const (
	ErrUnknown  = "E_UNKNOWN"
	ErrPanic    = "E_PANIC"
	ErrRead     = "E_READ"
	ErrConnect  = "E_CONN"
	ErrWrite    = "E_WRITE"
	ErrGi0      = "E_GI_0"
	ErrParse    = "E_PARSE"
	ErrNoServer = "E_NO_SERVER"
	ErrConnRate = "E_CONN_RATE"
)

func handleConnection(conn *net.UDPConn, config *Config, logger loggerHelper, bufPool *sync.Pool, throttle Throttle) {
	buffer := bufPool.Get().([]byte)
	bytesRead, peer, err := conn.ReadFromUDP(buffer)
	if err != nil || bytesRead == 0 {
		bufPool.Put(buffer)
		msg := "error reading from %s: %v"
		glog.Errorf(msg, peer, err)
		logger.LogErr(time.Now(), nil, nil, peer, ErrRead, err)
		return
	}

	// Check for connection rate per IP address
	ok, err := throttle.OK(peer.IP.String())
	if !ok {
		bufPool.Put(buffer)
		logger.LogErr(time.Now(), nil, nil, peer, ErrConnRate, err)
		return
	}

	go func() {
		defer func() {
			// always release this routine's buffer back to the pool
			bufPool.Put(buffer)

			if r := recover(); r != nil {
				glog.Errorf("Panicked handling v%d packet from %s: %s", config.Version, peer, r)
				glog.Errorf("Offending packet: %x", buffer[:bytesRead])
				err, _ := r.(error)
				logger.LogErr(time.Now(), nil, nil, peer, ErrPanic, err)
				glog.Errorf("%s: %s", r, debug.Stack())
			}
		}()

		if config.Version == 4 {
			handleRawPacketV4(logger, config, buffer[:bytesRead], peer)
		} else if config.Version == 6 {
			handleRawPacketV6(logger, config, buffer[:bytesRead], peer)
		}
	}()
}

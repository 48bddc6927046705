package backends

import (
	"fmt"
	"time"

	"sync"

	log "github.com/sirupsen/logrus"
	"github.com/valyala/fasthttp"
)

type AzureTableBackend struct {
	Client  *fasthttp.Client
	Account string
	Key     string
	URI     string

	partitionKeyPool sync.Pool // Stores [8]byte instances where the first chars are [" and the last are "]
}

func NewAzureBackend(account string, key string) *AzureTableBackend {

	log.Debugf("New Azure Backend: Account %s Key %s", account, key)

	c := &AzureTableBackend{
		Account: account,
		Key:     key,
		Client: &fasthttp.Client{
			MaxIdleConnDuration: 30 * time.Second,
			DialDualStack:       true,
			WriteTimeout:        15 * time.Second,
			ReadTimeout:         15 * time.Second,
		},
		URI: fmt.Sprintf("https://%s.documents.azure.com", account),

		partitionKeyPool: sync.Pool{
			New: func() interface{} {
				buffer := [8]byte{}
				buffer[0] = '['
				buffer[1] = '"'
				buffer[6] = '"'
				buffer[7] = ']'
				return buffer
			},
		},
	}

	log.Infof("New Azure Client: %s", account)

	return c
}

func (c *AzureTableBackend) wrapForHeader(partitionKey string) string {
	buffer := c.partitionKeyPool.Get().([8]byte)
	defer c.partitionKeyPool.Put(buffer)
	copy(buffer[2:6], partitionKey)
	return string(buffer[:])
}

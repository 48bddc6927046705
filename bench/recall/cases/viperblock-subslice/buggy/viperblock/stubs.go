package viperblock

// stubs (not from the project); lruCache stands in for *lru.Cache[uint64, []byte] (golang-lru/v2)

import "example.com/viperblock-subslice/types"

type lruCache struct{ m map[uint64][]byte }

func (c *lruCache) Add(key uint64, value []byte) (evicted bool) { c.m[key] = value; return false }

type CacheConfig struct{ Size int }

type Cache struct {
	Config CacheConfig
	lru    *lruCache
}

type Backend interface {
	Read(fileType types.FileType, objectID uint64, offset uint32, length uint32) ([]byte, error)
}

type BlockStore struct{ m map[uint64][]byte }

func (b *BlockStore) Cache(block uint64, data []byte) { b.m[block] = append([]byte(nil), data...) }

type ConsecutiveBlock struct {
	BlockPosition uint64
	StartBlock    uint64
	NumBlocks     uint16
	OffsetStart   uint64
	OffsetEnd     uint64
	ObjectID      uint64
	ObjectOffset  uint32
	SeqNum        uint64
	SeqNums       []uint64
}

type ConsecutiveBlocks []ConsecutiveBlock

type VB struct {
	VolumeName        string
	VolumeUUID        string
	volumeNameHash    [32]byte
	BlockSize         uint32
	EncryptionEnabled bool
	UseBlockStore     bool
	BlockStore        *BlockStore
	Cache             Cache
	Backend           Backend
}

func (vb *VB) checkChunkMagic(volume string, objectID uint64, read func(off, length uint32) ([]byte, error)) error {
	return nil
}

func (vb *VB) openChunkRun(blockData []byte, cb ConsecutiveBlock, uuid string, nameHash [32]byte, dst []byte) error {
	copy(dst, blockData)
	return nil
}

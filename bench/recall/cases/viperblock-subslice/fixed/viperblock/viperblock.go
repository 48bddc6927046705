package viperblock

import (
	"log/slog"

	"example.com/viperblock-subslice/types"
	"example.com/viperblock-subslice/utils"
)

func clone(in []byte) []byte {
	out := make([]byte, len(in))
	copy(out, in)
	return out
}

func (vb *VB) fetchConsecutiveBlocksFromBackend(consecutiveBlocks ConsecutiveBlocks, data []byte) error {
	var consecutiveBlocksToRead ConsecutiveBlocks
	consecutiveBlocksRead := make(map[uint64]bool, len(consecutiveBlocks))

	for i := range consecutiveBlocks {
		if _, ok := consecutiveBlocksRead[consecutiveBlocks[i].StartBlock]; ok {
			continue
		}

		numBlocks := 1
		for j := i + 1; j < len(consecutiveBlocks); j++ {
			if (consecutiveBlocks[j].StartBlock == consecutiveBlocks[j-1].StartBlock+1) &&
				consecutiveBlocks[j].ObjectID == consecutiveBlocks[j-1].ObjectID {
				numBlocks++
				consecutiveBlocksRead[consecutiveBlocks[j].StartBlock] = true
			} else {
				break
			}
		}

		var seqNums []uint64
		if vb.EncryptionEnabled {
			seqNums = make([]uint64, numBlocks)
			for k := 0; k < numBlocks; k++ {
				seqNums[k] = consecutiveBlocks[i+k].SeqNum
			}
		}

		consecutiveBlocksToRead = append(consecutiveBlocksToRead, ConsecutiveBlock{
			BlockPosition: consecutiveBlocks[i].BlockPosition,
			StartBlock:    consecutiveBlocks[i].StartBlock,
			NumBlocks:     utils.SafeIntToUint16(numBlocks),
			OffsetStart:   consecutiveBlocks[i].OffsetStart,
			OffsetEnd:     consecutiveBlocks[i].OffsetEnd,
			ObjectID:      consecutiveBlocks[i].ObjectID,
			ObjectOffset:  consecutiveBlocks[i].ObjectOffset,
			SeqNums:       seqNums,
		})
	}

	stride := vb.BlockSize
	if vb.EncryptionEnabled {
		stride += 16
	}

	for _, cb := range consecutiveBlocksToRead {
		slog.Debug("[READ] READING CONSECUTIVE BLOCK:", "startBlock", cb.StartBlock, "numBlocks", cb.NumBlocks)

		consecutiveBlockOffset := uint32(cb.NumBlocks) * stride
		start := cb.BlockPosition * uint64(vb.BlockSize)
		end := start + uint64(cb.NumBlocks)*uint64(vb.BlockSize)

		objectID := cb.ObjectID
		if err := vb.checkChunkMagic(vb.VolumeName, objectID, func(off, length uint32) ([]byte, error) {
			return vb.Backend.Read(types.FileTypeChunk, objectID, off, length)
		}); err != nil {
			return err
		}

		blockData, err := vb.Backend.Read(types.FileTypeChunk, cb.ObjectID, cb.ObjectOffset, consecutiveBlockOffset)
		if err != nil {
			return err
		}

		if vb.EncryptionEnabled {
			if err := vb.openChunkRun(blockData, cb, vb.VolumeUUID, vb.volumeNameHash, data[start:end]); err != nil {
				return err
			}
		} else {
			copy(data[start:end], blockData)
		}

		// Cache blocks in BlockStore (post-decrypt plaintext)
		if vb.UseBlockStore {
			for i := uint64(0); i < uint64(cb.NumBlocks); i++ {
				currentBlock := cb.StartBlock + i
				blockStart := start + i*uint64(vb.BlockSize)
				blockEnd := blockStart + uint64(vb.BlockSize)
				vb.BlockStore.Cache(currentBlock, data[blockStart:blockEnd])
			}
		}

		// Also update legacy LRU cache if enabled (post-decrypt plaintext)
		if vb.Cache.Config.Size > 0 {
			for i := uint64(0); i < uint64(cb.NumBlocks); i++ {
				currentBlock := cb.StartBlock + i
				blockStart := start + i*uint64(vb.BlockSize)
				blockEnd := blockStart + uint64(vb.BlockSize)
				vb.Cache.lru.Add(currentBlock, clone(data[blockStart:blockEnd]))
			}
		}
	}

	return nil
}

package zap

import (
	"io"

	"github.com/RoaringBitmap/roaring"
)

// Stubs (not from the original project). In the project MergeToWriter is in merge.go
// and persistFooter in write.go; both only write through cr / writerIn.
type SegmentBase struct{}

func MergeToWriter(segments []*SegmentBase, drops []*roaring.Bitmap,
	chunkMode uint32, cr *CountHashWriter, closeCh chan struct{}) (
	newDocNums [][]uint64, numDocs, storedIndexOffset uint64, dictLocs []uint64,
	fieldsInv []string, fieldsMap map[string]uint16, sectionsIndexOffset uint64,
	err error) {
	_, err = cr.Write([]byte("x"))
	return
}

func persistFooter(numDocs, storedIndexOffset, fieldsIndexOffset, sectionsIndexOffset, docValueOffset uint64,
	chunkMode uint32, crcBeforeFooter uint32, writerIn io.Writer) error {
	_, err := writerIn.Write([]byte("f"))
	return err
}

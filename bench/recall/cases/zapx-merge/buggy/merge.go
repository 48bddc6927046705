package zap

import (
	"bufio"
	"os"
	"sync"

	"github.com/RoaringBitmap/roaring"
	seg "github.com/blevesearch/scorch_segment_api/v2"
)

var DefaultFileMergerBufferSize = 1024 * 1024

var mergeBufferPool = sync.Pool{
	New: func() interface{} {
		return bufio.NewWriterSize(nil, DefaultFileMergerBufferSize)
	},
}

func mergeSegmentBases(segmentBases []*SegmentBase, drops []*roaring.Bitmap, path string,
	chunkMode uint32, closeCh chan struct{}, s seg.StatsReporter) (
	[][]uint64, uint64, error) {
	flag := os.O_RDWR | os.O_CREATE

	f, err := os.OpenFile(path, flag, 0600)
	if err != nil {
		return nil, 0, err
	}

	cleanup := func() {
		_ = f.Close()
		_ = os.Remove(path)
	}

	// buffer the output
	br := mergeBufferPool.Get().(*bufio.Writer)
	br.Reset(f)

	// wrap it for counting (tracking offsets)
	cr := NewCountHashWriterWithStatsReporter(br, s)

	newDocNums, numDocs, storedIndexOffset, _, _, _, sectionsIndexOffset, err :=
		MergeToWriter(segmentBases, drops, chunkMode, cr, closeCh)
	if err != nil {
		cleanup()
		return nil, 0, err
	}

	// passing the sectionsIndexOffset as fieldsIndexOffset and the docValueOffset as 0 for the footer
	err = persistFooter(numDocs, storedIndexOffset, sectionsIndexOffset, sectionsIndexOffset,
		0, chunkMode, cr.Sum32(), cr)
	if err != nil {
		cleanup()
		return nil, 0, err
	}

	err = br.Flush()
	if err != nil {
		cleanup()
		return nil, 0, err
	}

	err = f.Sync()
	if err != nil {
		cleanup()
		return nil, 0, err
	}

	err = f.Close()
	if err != nil {
		cleanup()
		return nil, 0, err
	}

	numBytesWritten := cr.Count()
	mergeBufferPool.Put(br)
	return newDocNums, uint64(numBytesWritten), nil
}

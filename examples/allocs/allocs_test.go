package allocs

import "testing"

var (
	sinkPoint  *Point
	sinkLabels []string
	sinkInt    int
)

func BenchmarkNewPoint(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sinkPoint = NewPoint(i, i+1)
	}
}

func BenchmarkLabels(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sinkLabels = Labels(64)
	}
}

func BenchmarkSumSquares(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sinkInt = SumSquares(16)
	}
}

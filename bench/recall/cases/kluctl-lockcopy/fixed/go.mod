module example.com/kluctl-lockcopy

go 1.19

module example.com/tldr

go 1.9

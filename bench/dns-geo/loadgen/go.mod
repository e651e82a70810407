module kfed.bench/loadgen

go 1.24

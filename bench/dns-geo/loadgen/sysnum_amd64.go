package main

const (
	sysSendmmsg = 307
	sysRecvmmsg = 299
)

//go:build !linux

package main

import (
	"errors"
	"os"

	"github.com/fasthttp/websocket"
)

// watchMode: without epoll, the watchers are read by a goroutine each.
func watchMode() (string, error) {
	if m := os.Getenv("WATCH"); m != "" && m != "goroutines" {
		return "", errors.New(`only WATCH=goroutines is available off Linux`)
	}
	return "goroutines", nil
}

func epollWatch([]*websocket.Conn, []*benchWatcher, func([]byte) int64, func([]byte) []byte) (func(), error) {
	return nil, errors.New("epoll is Linux's")
}

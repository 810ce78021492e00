package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

// heldHere names the leases this process holds now.
var heldHere sync.Map

// serveLease is the lease that makes one serve per database.
const serveLease = "serve"

// leaseTTL is how long a lease lasts without renewal; serve renews it every third of it.
var leaseTTL = 15 * time.Second

// holdLease takes the serve lease for this process, or explains who has it.
// A lease left by a process of this host that no longer runs (kill -9) is
// taken over at once. It returns a function that renews the lease until ctx
// ends (cancelling lost when another process took it) and releases it.
func (m *Main) holdLease(ctx context.Context) (hold func(ctx context.Context, lost func()), err error) {
	ls := storage.NewLeaseService(m.DB)
	host, _ := os.Hostname()
	nonce := make([]byte, 4)
	_, _ = rand.Read(nonce)
	me := fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(nonce))
	err = ls.AcquireLease(ctx, serveLease, me, leaseTTL)
	if convene.ErrorCode(err) == convene.ECONFLICT {
		holder, until, ferr := ls.FindLease(ctx, serveLease)
		if ferr != nil {
			return nil, ferr
		}
		if deadLocal(holder, host) {
			m.Logger.Warn("taking over the lease of a serve that no longer runs", "holder", holder)
			if err = ls.ReleaseLease(ctx, serveLease, holder); err == nil {
				err = ls.AcquireLease(ctx, serveLease, me, leaseTTL)
			}
		} else if holder != "" {
			return nil, fmt.Errorf("another convene serve (%s) is running on %s; stop it first, or wait until %s if it has died",
				holder, m.Config.DB, until.Local().Format(time.TimeOnly))
		}
	}
	if err != nil {
		return nil, err
	}
	heldHere.Store(me, true)
	return func(ctx context.Context, lost func()) {
		defer heldHere.Delete(me)
		defer func() {
			if err := ls.ReleaseLease(context.WithoutCancel(ctx), serveLease, me); err != nil {
				m.Logger.Warn("release lease", "err", err)
			}
		}()
		t := time.NewTicker(leaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if err := ls.AcquireLease(ctx, serveLease, me, leaseTTL); err != nil && ctx.Err() == nil {
				if convene.ErrorCode(err) == convene.ECONFLICT {
					m.Logger.Error("lost the serve lease to another process: stopping", "err", err)
					lost()
					return
				}
				m.Logger.Warn("renew lease", "err", err)
			}
		}
	}, nil
}

// deadLocal reports whether holder ("host/pid/nonce") is a process of this
// host that no longer runs.
func deadLocal(holder, host string) bool {
	parts := strings.Split(holder, "/")
	if len(parts) != 3 || parts[0] != host {
		return false
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil || pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		// Ours, or an earlier life of this pid (a restarted container).
		_, live := heldHere.Load(holder)
		return !live
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

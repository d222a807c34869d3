# tests/fuzz/fuzz.mk - builds the libFuzzer targets with clang, apart from
# the normal build (which may use gcc).  Makefile.am's `make fuzz` runs it
# from the build directory; README.md, "Fuzzing", says how to add a target.
#
#   make -f tests/fuzz/fuzz.mk srcdir=SRC out=DIR DEPS_CFLAGS=... DEPS_LIBS=...
#
# A target NAME is the harness tests/fuzz/NAME.c (its seed corpus is the
# directory tests/fuzz/NAME/); every *.c here is one.  Harnesses link
# against FUZZ_SRC, archived so that each takes only what it calls.  The
# binaries are $(out)/bin/NAME; config.h comes from the current directory
# (the configured build).

srcdir ?= .
out ?= fuzz
FUZZ_CC ?= clang

# The modules a harness may call: the bottom layer and the parsers of what
# other hosts send.  Add a module here when a new target needs it.
FUZZ_SRC = $(sort $(wildcard $(srcdir)/app/lib/*.c)) \
	$(srcdir)/app/proto/dns.c \
	$(srcdir)/app/proto/launchpad.c \
	$(srcdir)/app/proto/openid.c \
	$(srcdir)/app/proto/smtp.c \
	$(srcdir)/app/proto/lmtp.c \
	$(srcdir)/app/mail/htmltext.c \
	$(srcdir)/app/mail/mime.c \
	$(srcdir)/app/mail/summary.c

FUZZ_TARGETS = $(sort $(basename $(notdir $(wildcard $(srcdir)/tests/fuzz/*.c))))

# Coverage for libFuzzer, ASan and UBSan; any UB report ends the run.
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra \
	-Werror $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
	-I. -I$(srcdir)/app -I$(srcdir) $(DEPS_CFLAGS)
FUZZ_LDFLAGS = $(FUZZ_SAN) -fsanitize=fuzzer -Wl,--as-needed

# V=1 shows the commands.
ifeq ($(V),1)
Q =
say = @:
else
Q = @
say = @printf '  %-8s %s\n'
endif

objs = $(patsubst $(srcdir)/%.c,$(out)/obj/%.o,$(FUZZ_SRC))
bins = $(addprefix $(out)/bin/,$(FUZZ_TARGETS))

all: $(bins)

$(out)/obj/%.o: $(srcdir)/%.c config.h
	@mkdir -p $(@D)
	$(say) FUZZCC $<
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(out)/libfuzz.a: $(objs)
	@rm -f $@
	$(say) AR $@
	$(Q)ar cr $@ $^

# One rule for every target.
$(out)/bin/%: $(out)/obj/tests/fuzz/%.o $(out)/libfuzz.a
	@mkdir -p $(@D)
	$(say) FUZZLD $@
	$(Q)$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $< $(out)/libfuzz.a $(DEPS_LIBS)

.SECONDARY: $(objs) $(patsubst %,$(out)/obj/tests/fuzz/%.o,$(FUZZ_TARGETS))
.PHONY: all

-include $(shell find $(out)/obj -name '*.d' 2>/dev/null)

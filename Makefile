# reprint - the only build system. GNU make.
#
#   make            build/libreprint.a and build/reprint
#   make demo       build, then compare the example wire story with its rewrite
#   make test       install missing packages, build with -Werror, run every test
#                   (unit, golden CLI, examples, fuzz replay, the layout check
#                   of scripts/check_layout.py), then all again
#                   under AddressSanitizer + UndefinedBehaviorSanitizer
#   make python     the Python module in build/python (PYTHONPATH=build/python)
#   make bench      benchmarks (figures and ratios; not part of the tests)
#   make eval       scores on the labelled data in ../shared/data
#   make sanitize   only the ASan+UBSan test pass
#   make valgrind   the unit tests under valgrind (gcc build)
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS
#   make format / format-check / lint / install / clean

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wvla -Wcast-qual -Wundef -Wwrite-strings
WERROR  ?= -Werror
PKGS     = libutf8proc libxxhash libcjson zlib libzstd sqlite3 libmicrohttpd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CPPFLAGS_ALL = -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc $(PKG_CFLAGS) $(CPPFLAGS)
LIBS     = $(PKG_LIBS) -lpthread -lm
BUILD   ?= build
PREFIX  ?= /usr/local
FUZZ_SECONDS ?= 60

# The library: one folder per layer and engine (docs/DESIGN.md, "Layout");
# src/mpi/ is built only into libreprint_mpi.a (below).
LIB_SRC  = $(filter-out src/mpi/%,$(wildcard src/*/*.c))
CLI_SRC  = $(filter-out cli/main_mpi.c,$(wildcard cli/*.c))
TEST_SRC = $(wildcard tests/*.c)
FUZZ_TARGETS = $(basename $(notdir $(wildcard fuzz/fuzz_*.c)))

LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ = $(TEST_SRC:%.c=$(BUILD)/%.o)
# reprint-mpi: the same program on Open MPI ranks (docs/DESIGN.md, "Many
# machines"). Built when pkg-config knows ompi-c; src/mpi/ (the transport)
# goes into libreprint_mpi.a only, so libreprint.a and reprint never link MPI.
MPI_CFLAGS := $(shell pkg-config --cflags ompi-c 2>/dev/null)
MPI_LIBS   := $(shell pkg-config --libs ompi-c 2>/dev/null)
MPI_PROG   := $(if $(shell pkg-config --exists ompi-c 2>/dev/null && echo y),$(BUILD)/reprint-mpi)
MPI_CLI_OBJ = $(filter-out $(BUILD)/cli/main.o,$(CLI_OBJ)) $(BUILD)/cli/main_mpi.o \
              $(BUILD)/mpi/cli/main.o
# The unit tests link a library built with fault injection enabled.
TLIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/tlib/%.o)

ALL_CFLAGS = $(WARN) $(WERROR) $(CFLAGS) -fvisibility=hidden -MMD -MP

.PHONY: all demo test check unit python sanitize valgrind fuzz bench eval deps format format-check \
        lint install clean

all: $(BUILD)/reprint $(BUILD)/libreprint.a $(MPI_PROG)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tlib/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) -DRP_FAULT_INJECTION $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libreprint.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libreprint_test.a: $(TLIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/reprint: $(CLI_OBJ) $(BUILD)/libreprint.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libreprint.a $(LIBS)

$(BUILD)/src/mpi/%.o: src/mpi/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(MPI_CFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libreprint_mpi.a: $(BUILD)/src/mpi/mpi_comm.o
	@rm -f $@
	ar rcs $@ $^

# main.c again, its main() renamed: main_mpi.c starts MPI, then calls it.
$(BUILD)/mpi/cli/main.o: cli/main.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(ALL_CFLAGS) -Wno-missing-prototypes -Dmain=rp_cli_main -c $< -o $@

$(BUILD)/reprint-mpi: $(MPI_CLI_OBJ) $(BUILD)/libreprint_mpi.a $(BUILD)/libreprint.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(MPI_CLI_OBJ) $(BUILD)/libreprint_mpi.a \
	    $(BUILD)/libreprint.a $(LIBS) $(MPI_LIBS)

$(BUILD)/tests/run: $(TEST_OBJ) $(BUILD)/libreprint_test.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(TEST_OBJ) $(BUILD)/libreprint_test.a $(LIBS)

$(BUILD)/examples/%: examples/%.c $(BUILD)/libreprint.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libreprint.a $(LIBS)

# Fuzz targets built as plain programs that replay their corpus (fuzz/replay.c).
$(BUILD)/fuzz/replay_%: fuzz/%.c fuzz/replay.c $(BUILD)/libreprint.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(ALL_CFLAGS) $(LDFLAGS) -o $@ fuzz/$*.c fuzz/replay.c \
	    $(BUILD)/libreprint.a $(LIBS)

# Targets named fuzz_cli_* drive the program's commands: they link cli/ too
# (all but main.c).
CLI_LIB_SRC = $(filter-out cli/main.c,$(CLI_SRC))
CLI_LIB_OBJ = $(CLI_LIB_SRC:%.c=$(BUILD)/%.o)
$(BUILD)/fuzz/replay_fuzz_cli_%: fuzz/fuzz_cli_%.c fuzz/replay.c $(CLI_LIB_OBJ) $(BUILD)/libreprint.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) -Icli $(ALL_CFLAGS) $(LDFLAGS) -o $@ fuzz/fuzz_cli_$*.c fuzz/replay.c \
	    $(CLI_LIB_OBJ) $(BUILD)/libreprint.a $(LIBS)

# A C++ compiler must accept the public header.
$(BUILD)/tests/cxx_header.o: include/reprint.h
	@mkdir -p $(dir $@)
	@if command -v c++ >/dev/null; then \
	  echo '#include "reprint.h"' | c++ -x c++ -std=c++11 -Wall -Wextra -Werror -Iinclude -c - -o $@; \
	else touch $@; fi

# The Python module (python/, setup.py), built into $(BUILD)/python with this
# build's compiler and flags, for Debian's interpreter (whose python3-dev,
# -setuptools and -pytest scripts/deps.sh installs). The extension keeps to
# PY_WARN: CPython's API (char * keyword lists, PyCFunction casts) does not fit
# -Wpedantic, -Wcast-qual and -Wwrite-strings; the library's own sources are
# checked with WARN by the other targets. A sanitizer build records the ASan
# runtime that the interpreter must preload (tests/python/run.sh).
PYTHON  ?= /usr/bin/python3
PY_WARN  = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
           -Wvla -Wundef
PY_FILES = $(wildcard python/reprint/*.py python/reprint/*.pyi) python/reprint/py.typed
PY_DEPS  = python/reprint/_reprint.c $(LIB_SRC) cli/render_json.c cli/render_html.c cli/cli.h \
           $(wildcard include/*.h src/*.h src/*/*.h) setup.py pyproject.toml

$(BUILD)/python/.built: $(PY_DEPS) $(PY_FILES)
	@mkdir -p $(BUILD)/python/reprint
	@CC="$(CC)" REPRINT_PY_CFLAGS="$(PY_WARN) $(WERROR) $(CFLAGS)" REPRINT_PY_LDFLAGS="$(LDFLAGS)" \
	    $(PYTHON) setup.py -q build_ext -j 2 -b $(BUILD)/python -t $(BUILD)/python/tmp \
	    > $(BUILD)/python/build.log 2>&1 || { cat $(BUILD)/python/build.log; exit 1; }
	@cp $(PY_FILES) $(BUILD)/python/reprint/
	@case "$(CFLAGS)" in *-fsanitize=address*) \
	    $(CC) -print-file-name=libclang_rt.asan-x86_64.so > $(BUILD)/python/preload ;; \
	  *) rm -f $(BUILD)/python/preload ;; esac
	@touch $@

python: $(BUILD)/python/.built

unit: $(BUILD)/tests/run $(BUILD)/reprint $(MPI_PROG) $(BUILD)/examples/minimal $(BUILD)/examples/near_dups \
      $(BUILD)/tests/cxx_header.o $(BUILD)/python/.built \
      $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay_%)
	@BUILD=$(BUILD) sh tests/run_all.sh

deps:
	@sh scripts/deps.sh

test: deps
	@$(MAKE) --no-print-directory unit BUILD=build
	@$(MAKE) --no-print-directory unit BUILD=build/san CC=clang \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	    LDFLAGS="-fsanitize=address,undefined" > build/san.log 2>&1 || { cat build/san.log; exit 1; }
	@tail -n 1 build/san.log | sed 's/^/sanitizers: /'
	@sh tests/total.sh build/unit.total build/san/unit.total

check: test

sanitize: deps
	@$(MAKE) --no-print-directory unit BUILD=build/san CC=clang \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	    LDFLAGS="-fsanitize=address,undefined"

valgrind: deps
	@$(MAKE) --no-print-directory $(BUILD)/vg/tests/run BUILD=build/vg CC=gcc CFLAGS="-O1 -g"
	valgrind --error-exitcode=1 --leak-check=full -q build/vg/tests/run

fuzz: deps
	@mkdir -p $(BUILD)/fuzzer
	@for t in $(FUZZ_TARGETS); do \
	  clang $(CPPFLAGS_ALL) $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined \
	      -fno-sanitize-recover=all fuzz/$$t.c $(LIB_SRC) \
	      $$(case $$t in fuzz_cli_*) echo -Icli $(CLI_LIB_SRC);; esac) \
	      $(LIBS) -o $(BUILD)/fuzzer/$$t || exit 1; \
	  mkdir -p fuzz/corpus/$$t $(BUILD)/fuzzer/corpus-$$t; \
	  $(BUILD)/fuzzer/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	      -artifact_prefix=fuzz/corpus/$$t/crash- $(BUILD)/fuzzer/corpus-$$t fuzz/corpus/$$t \
	      || exit 1; \
	done

# demo, bench and eval install what is missing first, like test, so each
# works on a fresh machine; the sub-make re-reads pkg-config afterwards.
demo: deps
	@$(MAKE) --no-print-directory all
	@$(BUILD)/reprint compare --format text --color=always examples/wire.txt examples/article.txt

$(BUILD)/bench/%: bench/%.c $(BUILD)/libreprint.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libreprint.a $(LIBS)

bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/bench/bench_align $(BUILD)/bench/bench_sketch \
	    $(BUILD)/bench/dedup_gen $(BUILD)/bench/dedup_score
	@BUILD=$(BUILD) sh bench/run.sh
	@BUILD=$(BUILD) sh bench/dedup.sh
	@BUILD=$(BUILD) sh bench/pairs.sh
	@$(MAKE) --no-print-directory python
	@BUILD=$(BUILD) $(PYTHON) bench/python_dedup.py

eval: deps
	@$(MAKE) --no-print-directory all
	@bash eval/run.sh

format:
	clang-format -i include/*.h src/*/*.h src/*/*.c cli/*.c cli/*.h tests/*.c tests/*.h fuzz/*.c \
	    examples/*.c bench/*.c

format-check:
	clang-format --dry-run --Werror include/*.h src/*/*.h src/*/*.c cli/*.c cli/*.h tests/*.c \
	    tests/*.h fuzz/*.c examples/*.c bench/*.c

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 \
	    --suppress=missingIncludeSystem -Iinclude -Isrc src cli
	clang-tidy --quiet $(LIB_SRC) $(CLI_SRC) -- $(CPPFLAGS_ALL) -std=c11

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	    $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/reprint $(DESTDIR)$(PREFIX)/bin/
	$(if $(MPI_PROG),install -m 755 $(MPI_PROG) $(DESTDIR)$(PREFIX)/bin/)
	install -m 644 $(BUILD)/libreprint.a $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/reprint.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 docs/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

#include "protobuf_c_arena.h"

#include <pthread.h>
#include <stdlib.h>

// Under AddressSanitizer a kept block is poisoned until an arena takes it
// again, so memory read after its arena's release is reported, not reused.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#endif
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(block) ASAN_POISON_MEMORY_REGION((block), PROTOBUF_C_ARENA_FIRST_BLOCK)
#define UNPOISON(block) ASAN_UNPOISON_MEMORY_REGION((block), PROTOBUF_C_ARENA_FIRST_BLOCK)
#else
#define POISON(block) ((void)(block))
#define UNPOISON(block) ((void)(block))
#endif

// Alignment of everything the arena hands to protobuf-c, as malloc would give.
#define ARENA_ALIGNMENT _Alignof(max_align_t)
// Each malloc'd overflow block starts with the link to the previous one, padded
// so that the memory after it keeps malloc's alignment.
#define BLOCK_HEADER ((sizeof(void *) + ARENA_ALIGNMENT - 1) & ~(ARENA_ALIGNMENT - 1))
#define FIRST_HEAP_BLOCK 16384
#define LARGEST_HEAP_BLOCK (16u << 20)

// The calling thread's free first blocks, and whether its exit has been
// arranged to free them. initial-exec: one thread-pointer-relative load, no
// __tls_get_addr call (the arena is linked into executables, not dlopen'd).
#define THREAD_LOCAL _Thread_local __attribute__((tls_model("initial-exec")))
static THREAD_LOCAL void *free_blocks[PROTOBUF_C_ARENA_CACHED_BLOCKS];
static THREAD_LOCAL size_t free_count;
static THREAD_LOCAL bool exit_arranged;

static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static bool exit_key_created;

// Runs at the exit of a thread that kept blocks (the key's value is only a
// marker: the blocks are in the thread-local list). An arena released later
// in the thread's exit arranges this again or frees its block.
static void free_thread_blocks(void *marker) {
    (void)marker;
    while (free_count > 0) {
        void *block = free_blocks[--free_count];
        UNPOISON(block);
        free(block);
    }
    exit_arranged = false;
}

static void create_exit_key(void) {
    exit_key_created = pthread_key_create(&exit_key, free_thread_blocks) == 0;
}

// Keeps `block` for the thread's next arena, or frees it when the list is full
// or the thread's exit could not be arranged to free it.
static void keep_block(void *block) {
    if (free_count < PROTOBUF_C_ARENA_CACHED_BLOCKS) {
        if (!exit_arranged) {
            pthread_once(&exit_key_once, create_exit_key);
            if (!exit_key_created || pthread_setspecific(exit_key, &exit_key) != 0) {
                free(block);
                return;
            }
            exit_arranged = true;
        }
        POISON(block);
        free_blocks[free_count++] = block;
        return;
    }
    free(block);
}

// protobuf-c's alloc: every allocation aligned as malloc's.
static void *arena_alloc(void *data, size_t size) {
    return protobuf_c_arena_alloc(data, size, ARENA_ALIGNMENT);
}

// protobuf-c's free: nothing, the arena releases all its blocks at once.
static void arena_free(void *data, void *pointer) {
    (void)data;
    (void)pointer;
}

bool protobuf_c_arena_init(ProtobufCArenaState *arena) {
    void *block;
    if (free_count > 0) {
        block = free_blocks[--free_count];
        UNPOISON(block);
    } else {
        block = malloc(PROTOBUF_C_ARENA_FIRST_BLOCK);
        if (block == NULL) return false;
    }
    arena->allocator.alloc = arena_alloc;
    arena->allocator.free = arena_free;
    arena->allocator.allocator_data = arena;
    arena->cursor = block;
    arena->end = (unsigned char *)block + PROTOBUF_C_ARENA_FIRST_BLOCK;
    arena->first_block = block;
    arena->heap_blocks = NULL;
    arena->next_block_size = FIRST_HEAP_BLOCK;
    return true;
}

void *protobuf_c_arena_alloc_slow(ProtobufCArenaState *arena, size_t size, size_t alignment) {
    if (alignment > ARENA_ALIGNMENT || size > SIZE_MAX - BLOCK_HEADER) return NULL;
    size_t block_size = arena->next_block_size;
    if (block_size < size + BLOCK_HEADER) block_size = size + BLOCK_HEADER;
    void **block = malloc(block_size);
    if (block == NULL) return NULL;
    if (arena->next_block_size < LARGEST_HEAP_BLOCK) arena->next_block_size *= 2;
    *block = arena->heap_blocks;
    arena->heap_blocks = block;
    unsigned char *start = (unsigned char *)block + BLOCK_HEADER;
    arena->cursor = start + size;
    arena->end = (unsigned char *)block + block_size;
    return start;
}

void protobuf_c_arena_release(ProtobufCArenaState *arena) {
    void *block = arena->heap_blocks;
    while (block != NULL) {
        void *previous = *(void **)block;
        free(block);
        block = previous;
    }
    arena->heap_blocks = NULL;
    if (arena->first_block != NULL) {
        keep_block(arena->first_block);
        arena->first_block = NULL;
    }
    arena->cursor = arena->end = NULL;
}

size_t protobuf_c_arena_cached_blocks(void) {
    return free_count;
}

#include "protobuf_c_arena.h"

#include <pthread.h>
#include <stdlib.h>

// Alignment of everything the arena hands to protobuf-c, as malloc would give.
#define ARENA_ALIGNMENT _Alignof(max_align_t)
// Each malloc'd overflow block starts with the link to the previous one, padded
// so that the memory after it keeps malloc's alignment.
#define BLOCK_HEADER ((sizeof(void *) + ARENA_ALIGNMENT - 1) & ~(ARENA_ALIGNMENT - 1))
#define FIRST_HEAP_BLOCK 16384
#define LARGEST_HEAP_BLOCK (16u << 20)

// The thread's cached first block (NULL while an arena of the thread holds it),
// and whether the thread's exit has been arranged to free it. initial-exec:
// one thread-pointer-relative load, no __tls_get_addr call.
#define THREAD_LOCAL _Thread_local __attribute__((tls_model("initial-exec")))
static THREAD_LOCAL void *cached_block;
static THREAD_LOCAL bool cache_registered;

static pthread_key_t cache_key;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;
static bool cache_key_created;

// Runs at the exit of a thread that cached a block (the key's value is only a
// marker: the block itself is in the thread-local variable).
static void free_cached_block(void *marker) {
    (void)marker;
    free(cached_block);
    cached_block = NULL;
    cache_registered = false;
}

static void create_cache_key(void) {
    cache_key_created = pthread_key_create(&cache_key, free_cached_block) == 0;
}

// Keeps `block` for the thread's next arena, or frees it when the cache is
// taken or the thread's exit could not be arranged to free it.
static void keep_first_block(void *block) {
    if (cached_block == NULL) {
        if (!cache_registered) {
            pthread_once(&cache_key_once, create_cache_key);
            if (!cache_key_created || pthread_setspecific(cache_key, &cache_key) != 0) {
                free(block);
                return;
            }
            cache_registered = true;
        }
        cached_block = block;
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
    void *block = cached_block;
    if (block != NULL) {
        cached_block = NULL;
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
        keep_first_block(arena->first_block);
        arena->first_block = NULL;
    }
    arena->cursor = arena->end = NULL;
}

#include "protobuf_c_arena.h"

#include <stdlib.h>

// Alignment of everything the arena hands to protobuf-c, as malloc would give.
#define ARENA_ALIGNMENT _Alignof(max_align_t)
// Each malloc'd block starts with the link to the previous one, padded so
// that the memory after it keeps malloc's alignment.
#define BLOCK_HEADER ((sizeof(void *) + ARENA_ALIGNMENT - 1) & ~(ARENA_ALIGNMENT - 1))
#define FIRST_HEAP_BLOCK 16384
#define LARGEST_HEAP_BLOCK (16u << 20)

// protobuf-c's alloc: every allocation aligned as malloc's.
static void *arena_alloc(void *data, size_t size) {
    return protobuf_c_arena_alloc(data, size, ARENA_ALIGNMENT);
}

// protobuf-c's free: nothing, the arena releases all its blocks at once.
static void arena_free(void *data, void *pointer) {
    (void)data;
    (void)pointer;
}

ProtobufCArenaState *protobuf_c_arena_init(void *block, size_t size) {
    size_t header = (sizeof(ProtobufCArenaState) + ARENA_ALIGNMENT - 1) & ~(ARENA_ALIGNMENT - 1);
    if (block == NULL || size < header) return NULL;
    ProtobufCArenaState *arena = block;
    arena->allocator.alloc = arena_alloc;
    arena->allocator.free = arena_free;
    arena->allocator.allocator_data = arena;
    arena->cursor = (unsigned char *)block + header;
    arena->end = (unsigned char *)block + size;
    arena->heap_blocks = NULL;
    arena->next_block_size = FIRST_HEAP_BLOCK;
    return arena;
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
}

// A bump-pointer arena that implements protobuf-c's ProtobufCAllocator, so that
// one encode or one decode allocates from a single block and spills into a chain
// of malloc'd blocks that are all freed at once by protobuf_c_arena_release.
// Written in C so that protobuf-c calls its alloc and free directly, not Swift
// through a function pointer.
//
// The first block of each arena is the calling thread's cached block: release
// hands it back to the thread instead of freeing it, so an encode or decode of
// an ordinary message calls malloc for no arena memory at all. The cached block
// is freed when its thread exits.
#ifndef PROTOBUF_C_ARENA_H
#define PROTOBUF_C_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

typedef struct ProtobufCArenaState {
    /// Hands out memory from this arena; allocator_data points at the state.
    ProtobufCAllocator allocator;
    unsigned char *cursor;
    unsigned char *end;
    /// The first block (PROTOBUF_C_ARENA_FIRST_BLOCK bytes), the thread's cached one when it was free.
    void *first_block;
    /// The malloc'd overflow blocks, each starting with a pointer to the previous one.
    void *heap_blocks;
    size_t next_block_size;
} ProtobufCArenaState;

/// Size of an arena's first block, kept per thread between arenas.
#define PROTOBUF_C_ARENA_FIRST_BLOCK 16384

/// Sets up `arena` (caller-owned memory, such as a local) with its first
/// block: the calling thread's cached block when no other arena of the thread
/// holds it, otherwise a new one. Returns false when out of memory; then
/// nothing needs releasing.
bool protobuf_c_arena_init(ProtobufCArenaState *arena);

/// Frees every overflow block and hands the first block back to the thread's
/// cache (or frees it when the cache is full).
void protobuf_c_arena_release(ProtobufCArenaState *arena);

/// Allocation that no longer fits the current block; NULL when out of memory.
void *protobuf_c_arena_alloc_slow(ProtobufCArenaState *arena, size_t size, size_t alignment);

/// `size` bytes aligned to `alignment` (a power of two, at most
/// _Alignof(max_align_t)); NULL when out of memory.
static inline void *protobuf_c_arena_alloc(ProtobufCArenaState *arena, size_t size, size_t alignment) {
    uintptr_t aligned = ((uintptr_t)arena->cursor + (alignment - 1)) & ~(uintptr_t)(alignment - 1);
    if (aligned <= (uintptr_t)arena->end && size <= (uintptr_t)arena->end - aligned) {
        arena->cursor = (unsigned char *)aligned + size;
        return (void *)aligned;
    }
    return protobuf_c_arena_alloc_slow(arena, size, alignment);
}

#endif

// A bump-pointer arena that implements protobuf-c's ProtobufCAllocator, so that
// one encode or one decode allocates from a single block and spills into a chain
// of malloc'd blocks that are all freed at once by protobuf_c_arena_release.
// Written in C so that protobuf-c calls its alloc and free directly, not Swift
// through a function pointer.
//
// First blocks are recycled per thread: release hands an arena's first block to
// a small free list of the releasing thread (PROTOBUF_C_ARENA_CACHED_BLOCKS at
// most; beyond that it is freed), and init takes one from the calling thread's
// list before it mallocs. Every live arena has a block of its own, so arenas
// nested on one thread (a decode inside an encode) never share memory, and a
// block released on another thread than the one that took it simply joins that
// thread's list. Each thread's list is freed when the thread exits.
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
    /// The first block (PROTOBUF_C_ARENA_FIRST_BLOCK bytes), owned by this arena until release.
    void *first_block;
    /// The malloc'd overflow blocks, each starting with a pointer to the previous one.
    void *heap_blocks;
    size_t next_block_size;
} ProtobufCArenaState;

/// Size of an arena's first block.
#define PROTOBUF_C_ARENA_FIRST_BLOCK 16384
/// How many free first blocks a thread keeps for its next arenas.
#define PROTOBUF_C_ARENA_CACHED_BLOCKS 4

/// Sets up `arena` (caller-owned memory, such as a local) with a first block of
/// its own: one from the calling thread's free list, or a new one. Returns
/// false when out of memory; then nothing needs releasing.
bool protobuf_c_arena_init(ProtobufCArenaState *arena);

/// Frees every overflow block and hands the first block to the calling
/// thread's free list (or frees it when the list is full). The arena must not
/// be used afterwards.
void protobuf_c_arena_release(ProtobufCArenaState *arena);

/// How many free first blocks the calling thread holds (for tests).
size_t protobuf_c_arena_cached_blocks(void);

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

// A bump-pointer arena that implements protobuf-c's ProtobufCAllocator, so that
// one encode or one decode allocates from a caller-supplied block (on the Swift
// side, the stack) and spills into a chain of malloc'd blocks that are all freed
// at once by protobuf_c_arena_release. Written in C so that protobuf-c calls its
// alloc and free directly, not Swift through a function pointer.
#ifndef PROTOBUF_C_ARENA_H
#define PROTOBUF_C_ARENA_H

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

typedef struct ProtobufCArenaState {
    /// Hands out memory from this arena; allocator_data points at the state.
    ProtobufCAllocator allocator;
    unsigned char *cursor;
    unsigned char *end;
    /// The malloc'd blocks, each starting with a pointer to the previous one.
    void *heap_blocks;
    size_t next_block_size;
} ProtobufCArenaState;

/// Sets up an arena at the start of `block` (`size` bytes, aligned for
/// max_align_t); the rest of the block is the arena's first memory. Returns
/// NULL when the block is too small to hold the state.
ProtobufCArenaState *protobuf_c_arena_init(void *block, size_t size);

/// Frees every malloc'd block; the caller's first block stays the caller's.
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

//! CFG clean-up after lowering: jumps through empty blocks are threaded to their final target
//! and unreachable blocks are dropped, so the printed IR reads like the source.

use ir::{BlockId, Method, Terminator};

fn successors(t: &Terminator) -> Vec<BlockId> {
    match t {
        Terminator::Jump(b) => vec![*b],
        Terminator::Branch {
            then, otherwise, ..
        } => vec![*then, *otherwise],
        Terminator::Call { resume, .. } => vec![*resume],
        _ => Vec::new(),
    }
}

fn retarget(t: &mut Terminator, map: impl Fn(BlockId) -> BlockId) {
    match t {
        Terminator::Jump(b) => *b = map(*b),
        Terminator::Branch {
            then, otherwise, ..
        } => {
            *then = map(*then);
            *otherwise = map(*otherwise);
        }
        Terminator::Call { resume, .. } => *resume = map(*resume),
        _ => {}
    }
}

/// Threads jumps through empty blocks and removes unreachable blocks, keeping block 0 the entry.
pub fn simplify(method: &mut Method) {
    let n = method.blocks.len();
    // Final target of each block when it is an empty jump (cycles stay as they are).
    let forward: Vec<BlockId> = (0..n)
        .map(|start| {
            let mut current = start;
            for _ in 0..n {
                let b = &method.blocks[current];
                match (&b.terminator, b.stmts.is_empty()) {
                    (Terminator::Jump(t), true) if t.0 as usize != current => {
                        current = t.0 as usize
                    }
                    _ => break,
                }
            }
            BlockId(current as u32)
        })
        .collect();
    for b in 0..n {
        retarget(&mut method.blocks[b].terminator, |t| forward[t.0 as usize]);
        if let Some(h) = &mut method.blocks[b].handler {
            h.block = forward[h.block.0 as usize];
        }
    }
    let mut reachable = vec![false; n];
    let mut stack = vec![0usize];
    while let Some(b) = stack.pop() {
        if reachable[b] {
            continue;
        }
        reachable[b] = true;
        let block = &method.blocks[b];
        stack.extend(
            successors(&block.terminator)
                .into_iter()
                .map(|s| s.0 as usize),
        );
        if let Some(h) = block.handler {
            stack.push(h.block.0 as usize);
        }
    }
    let mut new_index = vec![0u32; n];
    let mut next = 0;
    for b in 0..n {
        if reachable[b] {
            new_index[b] = next;
            next += 1;
        }
    }
    let old = std::mem::take(&mut method.blocks);
    for (b, mut block) in old.into_iter().enumerate() {
        if !reachable[b] {
            continue;
        }
        retarget(&mut block.terminator, |t| BlockId(new_index[t.0 as usize]));
        if let Some(h) = &mut block.handler {
            h.block = BlockId(new_index[h.block.0 as usize]);
        }
        method.blocks.push(block);
    }
}

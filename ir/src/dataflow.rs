//! The stateful dataflow graph: ingress → one stateful operator per entity type → egress, with
//! call and reply edges derived from the remote calls in the methods.

use std::fmt::Write;

use petgraph::graph::{DiGraph, NodeIndex};
use serde::{Deserialize, Serialize};

use crate::{Expr, Program, RemoteOp, Terminator};

/// A node of the dataflow graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DataflowNode {
    /// Where client invocations enter.
    Ingress,
    /// The keyed stateful operator that holds one entity type's state and runs its methods.
    Operator {
        /// The entity type.
        entity: String,
    },
    /// Where results leave.
    Egress,
}

/// An edge of the dataflow graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DataflowEdge {
    /// Client invocations routed by entity key.
    Invoke,
    /// Remote calls from one operator to another, with the methods (or `.field` reads) they carry.
    Call {
        /// The called methods and read fields, sorted.
        methods: Vec<String>,
    },
    /// Replies to remote calls, back to the caller's operator.
    Reply,
    /// Results to the client.
    Result,
}

/// The dataflow graph of a program.
pub type DataflowGraph = DiGraph<DataflowNode, DataflowEdge>;

impl Program {
    /// Derives the dataflow graph. Calls whose target type is not known statically get an edge
    /// to every entity type that has the called method (or field).
    pub fn dataflow(&self) -> DataflowGraph {
        let mut graph = DataflowGraph::new();
        let ingress = graph.add_node(DataflowNode::Ingress);
        let operators: Vec<NodeIndex> = self
            .entities
            .iter()
            .map(|e| {
                graph.add_node(DataflowNode::Operator {
                    entity: e.name.clone(),
                })
            })
            .collect();
        let egress = graph.add_node(DataflowNode::Egress);
        for &op in &operators {
            graph.add_edge(ingress, op, DataflowEdge::Invoke);
            graph.add_edge(op, egress, DataflowEdge::Result);
        }
        let mut calls =
            std::collections::BTreeMap::<(usize, usize), std::collections::BTreeSet<String>>::new();
        for (from, entity) in self.entities.iter().enumerate() {
            for method in &entity.methods {
                for block in &method.blocks {
                    let Terminator::Call {
                        target: receiver,
                        entity: target,
                        op,
                        ..
                    } = &block.terminator
                    else {
                        continue;
                    };
                    // A call on `self` stays inside the operator: no message, no edge.
                    if matches!(receiver, Expr::SelfRef) {
                        continue;
                    }
                    let label = match op {
                        RemoteOp::Invoke { method, .. } => method.clone(),
                        RemoteOp::GetField { field } => format!(".{field}"),
                    };
                    for (to, callee) in self.entities.iter().enumerate() {
                        let matches = match target {
                            Some(name) => *name == callee.name,
                            None => match op {
                                RemoteOp::Invoke { method, .. } => callee.method(method).is_some(),
                                RemoteOp::GetField { field } => callee.field_index(field).is_some(),
                            },
                        };
                        if matches {
                            calls.entry((from, to)).or_default().insert(label.clone());
                        }
                    }
                }
            }
        }
        for ((from, to), methods) in calls {
            graph.add_edge(
                operators[from],
                operators[to],
                DataflowEdge::Call {
                    methods: methods.into_iter().collect(),
                },
            );
            // A call between entities of one type loops back to its operator: one edge, its
            // reply travels the same loop.
            if from != to {
                graph.add_edge(operators[to], operators[from], DataflowEdge::Reply);
            }
        }
        graph
    }

    /// Renders the dataflow graph in Graphviz DOT.
    pub fn dataflow_dot(&self) -> String {
        let graph = self.dataflow();
        let mut out = format!("digraph \"{}\" {{\n  rankdir=LR;\n", self.name);
        for index in graph.node_indices() {
            let (label, shape) = match &graph[index] {
                DataflowNode::Ingress => ("ingress".to_string(), "cds"),
                DataflowNode::Operator { entity } => (entity.clone(), "box3d"),
                DataflowNode::Egress => ("egress".to_string(), "cds"),
            };
            let _ = writeln!(
                out,
                "  n{} [label=\"{label}\", shape={shape}];",
                index.index()
            );
        }
        for edge in graph.edge_indices() {
            let (a, b) = graph.edge_endpoints(edge).expect("edge exists");
            let (label, style) = match &graph[edge] {
                DataflowEdge::Invoke => ("invoke".to_string(), "solid"),
                DataflowEdge::Call { methods } => (methods.join(", "), "solid"),
                DataflowEdge::Reply => ("reply".to_string(), "dashed"),
                DataflowEdge::Result => ("result".to_string(), "solid"),
            };
            let _ = writeln!(
                out,
                "  n{} -> n{} [label=\"{label}\", style={style}];",
                a.index(),
                b.index()
            );
        }
        out.push_str("}\n");
        out
    }
}
